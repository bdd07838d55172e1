// What the examples print at the end: the answer, the recorded session's counts from the local
// server's stats endpoint, and its page in the dashboard.
export async function printSession(server, apiKey, answer) {
  const headers = { 'x-agentops-api-key': apiKey };
  const { sessions } = await (await fetch(`${server.url}/v2/sessions`, { headers })).json();
  const id = sessions[0].session_id;
  const stats = await (await fetch(`${server.url}/v2/sessions/${id}/stats`, { headers })).json();
  console.log(`Answer: ${answer}`);
  console.log(
    `Session ${id}: ${stats.end_state}, ${stats.agents} agents, ${stats.llm_calls} LLM calls ` +
      `(${stats.prompt_tokens} prompt tokens, ${stats.cache_read_tokens} cached), ${stats.tool_calls} tool calls, ` +
      `${stats.actions} actions, cost $${stats.cost}`,
  );
  console.log(`Dashboard: ${server.url}/sessions/${id}`);
}
