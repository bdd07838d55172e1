/** The SQLite schema, applied in order; `PRAGMA user_version` records how far a database has come. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    init_timestamp TEXT NOT NULL,
    end_timestamp TEXT,
    end_state TEXT,
    end_state_reason TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    host_env TEXT,
    video TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX sessions_by_project ON sessions(project_id, init_timestamp DESC);
  CREATE TABLE agents (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (session_id, id)
  );
  CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    init_timestamp TEXT NOT NULL,
    end_timestamp TEXT NOT NULL,
    agent_id TEXT,
    model TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    cost REAL,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (session_id, id)
  );
  CREATE INDEX events_by_session ON events(session_id, init_timestamp);
  `,
  // The export reads one event type of a session at a time, in time order, a page at a time.
  `
  CREATE INDEX events_by_session_type ON events(session_id, event_type, init_timestamp);
  `,
  // What AgentOps 0.4.x clients upload beside their spans: captured logs (of a session) and objects.
  `
  CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    session_id TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX uploads_by_session ON uploads(session_id, created_at);
  `,
  // An agent's span: what the dashboard nests the agent's events under.
  `
  ALTER TABLE agents ADD COLUMN span_id TEXT;
  `,
  // Prompt-cache and reasoning token counts of LLM calls, summed in a session's stats.
  `
  ALTER TABLE events ADD COLUMN cache_read_tokens INTEGER;
  ALTER TABLE events ADD COLUMN cache_creation_tokens INTEGER;
  ALTER TABLE events ADD COLUMN reasoning_tokens INTEGER;
  `,
  // Who, where and which release a session ran for: filters of the session list.
  `
  ALTER TABLE sessions ADD COLUMN user_id TEXT;
  ALTER TABLE sessions ADD COLUMN environment TEXT;
  ALTER TABLE sessions ADD COLUMN release TEXT;
  CREATE INDEX sessions_by_environment ON sessions(project_id, environment, init_timestamp DESC);
  `,
  // Evaluations and feedback of a session or of one of its events (by event id or by span).
  `
  CREATE TABLE evaluations (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    id TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    name TEXT NOT NULL,
    score REAL,
    label TEXT,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (session_id, id)
  );
  CREATE INDEX evaluations_by_session ON evaluations(session_id, timestamp);
  `,
];
