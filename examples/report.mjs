// What the examples print at the end: the answer and the recorded session's counts from the local
// server's stats endpoint. The examples' server keeps its sessions in memory and stops with them, so
// no dashboard link is printed (it would be dead): `pnpm demo` keeps its sessions on disk.
// `options.sessionId`: the session to print, where the server has several (another process's own);
// `options.until.toolCalls`: wait (up to 10 s) for that many tool calls, which another process
// delivers after this one ended the session.
export async function printSession(server, apiKey, answer, options = {}) {
  const headers = { 'x-agentops-api-key': apiKey };
  const { sessions } = await (await fetch(`${server.url}/v2/sessions`, { headers })).json();
  const id = options.sessionId ?? sessions[0].session_id;
  const statsOf = async () => (await fetch(`${server.url}/v2/sessions/${id}/stats`, { headers })).json();
  let stats = await statsOf();
  for (let i = 0; i < 200 && stats.tool_calls < (options.until?.toolCalls ?? 0); i++) {
    await new Promise((r) => setTimeout(r, 50));
    stats = await statsOf();
  }
  console.log(`Answer: ${answer}`);
  console.log(
    `Session ${id}: ${stats.end_state}, ${stats.agents} agents, ${stats.llm_calls} LLM calls ` +
      `(${stats.prompt_tokens} prompt tokens, ${stats.cache_read_tokens} cached), ${stats.tool_calls} tool calls, ` +
      `${stats.actions} actions, cost $${stats.cost}`,
  );
  console.log(
    "(This example's server kept the session in memory and stops with it; `pnpm demo` keeps its sessions in ./.agentops for the dashboard.)",
  );
}
