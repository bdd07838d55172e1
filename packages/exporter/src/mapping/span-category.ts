/** What a span stands for in AgentOps: its session, an event of one of the four types, an agent, or an evaluation. */
export type SpanCategory = 'session' | 'llms' | 'tools' | 'actions' | 'errors' | 'agents' | 'evaluations';
