/** What a span stands for in AgentOps: its session, an event of one of the four types, or an agent. */
export type SpanCategory = 'session' | 'llms' | 'tools' | 'actions' | 'errors' | 'agents';
