// Service A: the orchestrating agent. It starts the session, plans with an LLM, calls a tool,
// asks the research service over HTTP (carrying the session in W3C headers), handles one failing
// tool call, writes the answer, and ends the session. Prints the session id for the demo runner.
import * as agentops from 'agentops';

const researchUrl = process.env.RESEARCH_URL;
const session = agentops.init({ tags: ['demo', 'multi-agent'], logLevel: 'warn' });

const lookupWeather = agentops.recordTool('lookup_weather', async ({ city }) => {
  await new Promise((r) => setTimeout(r, 25));
  return { city, forecast: 'sunny', high_c: 24 };
});

const fetchCalendar = agentops.recordTool('fetch_calendar', async () => {
  await new Promise((r) => setTimeout(r, 15));
  throw new Error('calendar service timed out after 15 ms');
});

const askResearcher = agentops.recordAction('ask_research_service', async (topic) => {
  const res = await fetch(`${researchUrl}/research`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...agentops.injectHeaders() },
    body: JSON.stringify({ topic }),
  });
  return res.json();
});

const plan = agentops.trackAgent('planner', async (goal) => {
  const planning = new agentops.LLMEvent({
    model: 'gpt-4o',
    prompt: [
      { role: 'system', content: 'You plan trips. Answer with a short list of steps.' },
      { role: 'user', content: goal },
    ],
  });
  await new Promise((r) => setTimeout(r, 50));
  planning.completion = {
    role: 'assistant',
    content: '1. Check the weather\n2. Check the calendar\n3. Research sights',
  };
  planning.promptTokens = 86;
  planning.completionTokens = 31;
  agentops.record(planning);

  const weather = await lookupWeather({ city: 'Lisbon' });
  try {
    await fetchCalendar();
  } catch {
    // Handled: the plan goes on without the calendar (the error is recorded on the tool call).
  }
  const research = await askResearcher('Lisbon sights');

  const writing = new agentops.LLMEvent({
    model: 'gpt-4o-mini',
    prompt: [
      { role: 'user', content: `Write the plan. Weather: ${JSON.stringify(weather)}. Research: ${research.summary}` },
    ],
  });
  await new Promise((r) => setTimeout(r, 40));
  writing.completion = { role: 'assistant', content: 'Day 1: Alfama walk in the sun (24°C). Day 2: Belém.' };
  writing.promptTokens = 230;
  writing.completionTokens = 64;
  agentops.record(writing);
  agentops.record(
    new agentops.ActionEvent({ actionType: 'save_itinerary', params: { format: 'markdown' }, returns: 'saved' }),
  );
  return writing.completion.content;
});

const itinerary = await session.run(() => plan('Plan a two-day trip to Lisbon'));
const cost = await agentops.endSession('Success', 'Itinerary written');
process.stdout.write(`${JSON.stringify({ sessionId: session.id, cost, itinerary })}\n`);
await agentops.shutdown();
