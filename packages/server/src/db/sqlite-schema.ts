import type { SqliteConnection } from './sqlite-driver.js';

/**
 * The SQLite schema, applied in order; `PRAGMA user_version` records how far a database has come.
 * A step that SQL alone cannot take (the search index made again from the stored events) is a
 * function of the connection, run in the same transaction.
 */
export const MIGRATIONS: (string | ((db: SqliteConnection) => void))[] = [
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
  // Each session's totals and its cost per model, kept as events are inserted, so the overview of a
  // project reads sessions, not their events. Filled from the events already stored.
  `
  ALTER TABLE sessions ADD COLUMN llm_calls INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN prompt_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN completion_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN cost REAL NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN last_event_end TEXT;
  UPDATE sessions SET
    llm_calls = t.llm_calls, errors = t.errors, prompt_tokens = t.prompt_tokens, completion_tokens = t.completion_tokens,
    cache_read_tokens = t.cache_read_tokens, cost = t.cost, last_event_end = t.last_end
  FROM (SELECT session_id, SUM(event_type = 'llms') AS llm_calls, SUM(event_type = 'errors') AS errors,
               TOTAL(prompt_tokens) AS prompt_tokens, TOTAL(completion_tokens) AS completion_tokens,
               TOTAL(cache_read_tokens) AS cache_read_tokens, TOTAL(cost) AS cost, MAX(end_timestamp) AS last_end
        FROM events GROUP BY session_id) AS t
  WHERE sessions.id = t.session_id;
  CREATE TABLE session_models (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    model TEXT NOT NULL,
    llm_calls INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost REAL NOT NULL,
    PRIMARY KEY (session_id, model)
  );
  INSERT INTO session_models (session_id, model, llm_calls, prompt_tokens, completion_tokens, cost)
    SELECT session_id, model, COUNT(*), TOTAL(prompt_tokens), TOTAL(completion_tokens), TOTAL(cost)
    FROM events WHERE event_type = 'llms' AND model IS NOT NULL GROUP BY session_id, model;
  `,
  // The rest of a session's totals (tool calls, actions, evaluations, the other token kinds), so a
  // session's stats and the session list read its row, never its events.
  `
  ALTER TABLE sessions ADD COLUMN tool_calls INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN actions INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN cache_creation_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN evaluations INTEGER NOT NULL DEFAULT 0;
  UPDATE sessions SET
    tool_calls = t.tool_calls, actions = t.actions, cache_creation_tokens = t.cache_creation_tokens,
    reasoning_tokens = t.reasoning_tokens
  FROM (SELECT session_id, SUM(event_type = 'tools') AS tool_calls, SUM(event_type = 'actions') AS actions,
               TOTAL(cache_creation_tokens) AS cache_creation_tokens, TOTAL(reasoning_tokens) AS reasoning_tokens
        FROM events GROUP BY session_id) AS t
  WHERE sessions.id = t.session_id;
  UPDATE sessions SET evaluations = t.n
  FROM (SELECT session_id, COUNT(*) AS n FROM evaluations GROUP BY session_id) AS t
  WHERE sessions.id = t.session_id;
  `,
  // The span an agent was invoked under: a remote agent's caller's call, shown with the agent.
  `
  ALTER TABLE agents ADD COLUMN parent_span_id TEXT;
  `,
  // Spans that are no events (Claude Code's execution of a tool), each with its parent span.
  `
  CREATE TABLE span_links (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    span_id TEXT NOT NULL,
    parent_span_id TEXT NOT NULL,
    PRIMARY KEY (session_id, span_id)
  );
  `,
  // What the run is, as its app names it.
  `
  ALTER TABLE sessions ADD COLUMN name TEXT;
  `,
  // Full-text search (search-text.ts): each event's words, its document the event's rowid; each
  // session's tags, its document the session's rowid. Contentless (the words are not kept twice),
  // with no positions (a search is words found together in one document, never a phrase): less
  // index to write.
  `
  CREATE VIRTUAL TABLE search USING fts5(body, session_id UNINDEXED, content = '', contentless_unindexed = 1,
    contentless_delete = 1, detail = none, tokenize = 'unicode61');
  CREATE VIRTUAL TABLE search_tags USING fts5(body, content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61');
  `,
  // Retention (retention/policy.ts): each project's policy, and on each session the bytes of its
  // stored events (the payload budget's measure), when its payloads were removed, and how far that
  // has come (the last event id done: removal runs in small steps). The index's deletions no longer
  // start merges of their own (FTS5's deletemerge): a purge stalled 100-1,100 ms in such a merge
  // every 20 sessions or so; the deleted entries go in the merges new entries make.
  `
  CREATE TABLE retention_policies (
    project_id TEXT PRIMARY KEY REFERENCES projects(id),
    policy TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  ALTER TABLE sessions ADD COLUMN payload_bytes INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN payload_removed_at TEXT;
  ALTER TABLE sessions ADD COLUMN payload_cursor TEXT;
  CREATE INDEX sessions_payload_begun ON sessions (project_id)
    WHERE payload_cursor IS NOT NULL AND payload_removed_at IS NULL;
  INSERT INTO search (search, rank) VALUES ('deletemerge', 0);
  INSERT INTO search_tags (search_tags, rank) VALUES ('deletemerge', 0);
  UPDATE sessions SET payload_bytes = t.n
  FROM (SELECT session_id, SUM(LENGTH(CAST(data AS BLOB))) AS n FROM events GROUP BY session_id) AS t
  WHERE sessions.id = t.session_id;
  `,
  // Alerts (alerts/rules.ts): each project's rules; what was spent per hour by each end user, tag,
  // environment, model and the project (kept as events are stored, so a rolling window's spend is
  // read off at most 720 rows, never the events); and each alert fired, once per rule, subject and
  // period (the key that makes it fire once across instances), with its webhook's delivery state;
  // the sessions ended lately found by their end (the failure rate and p95 duration rules).
  `
  CREATE TABLE alert_rules (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    rule TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX alert_rules_by_project ON alert_rules (project_id);
  CREATE TABLE spend_hours (
    project_id TEXT NOT NULL,
    dimension TEXT NOT NULL,
    key TEXT NOT NULL,
    hour TEXT NOT NULL,
    cost REAL NOT NULL,
    PRIMARY KEY (project_id, dimension, key, hour)
  );
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    period TEXT NOT NULL,
    body TEXT NOT NULL,
    webhook_url TEXT NOT NULL,
    format TEXT NOT NULL,
    secret TEXT NOT NULL,
    fired_at TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    last_error TEXT,
    delivered_at TEXT,
    UNIQUE (rule_id, subject, period)
  );
  CREATE INDEX alerts_due ON alerts (status, next_at);
  CREATE INDEX alerts_by_project ON alerts (project_id, fired_at);
  CREATE INDEX sessions_by_end ON sessions (project_id, end_timestamp);
  `,
  // Replays and forks (agentops.replay()): the session each was made from, and a fork's step.
  `
  ALTER TABLE sessions ADD COLUMN forked_from TEXT;
  ALTER TABLE sessions ADD COLUMN fork_step INTEGER;
  CREATE INDEX sessions_forked_from ON sessions (project_id, forked_from) WHERE forked_from IS NOT NULL;
  `,
  // Search finds a session without a lookup per matching event: an event's document is its
  // session's rowid in the high 32 bits and its own rowid's low 32 bits below (sqlite-search.ts),
  // so the sessions are read off the matches' document ids. The old index (its documents the
  // events' rowids, the session a stored column read per match: 90 ms for 50,000 matches) cannot be
  // read back (contentless): it is made again from the stored events.
  `
  DROP TABLE search;
  CREATE VIRTUAL TABLE search USING fts5(body, content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61');
  INSERT INTO search (search, rank) VALUES ('deletemerge', 0);
  `,
  // (Was: the stored events indexed again into that index. The next step drops it: its index is
  // made from the stored events in a file of its own.)
  () => {},
  // The event index moves to a file of its own, written from a queue off the ingest path
  // (sqlite-search.ts): ingest queues each batch's rowids, retention each session whose documents
  // go. A new index file is made from every stored event.
  `
  DROP TABLE search;
  CREATE TABLE search_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_key INTEGER,
    first_event INTEGER,
    last_event INTEGER
  );
  `,
];
