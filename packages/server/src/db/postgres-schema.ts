/**
 * The PostgreSQL schema, applied in order; `agentops_schema_migrations` records which have run.
 * Times are the server's normalized ISO-8601 text (see timestamps.ts), in the "C" collation so
 * they order as they do in SQLite, byte by byte. `seq` orders rows written in the same instant.
 */
export const POSTGRES_MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT COLLATE "C" NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    init_timestamp TEXT COLLATE "C" NOT NULL,
    end_timestamp TEXT COLLATE "C",
    end_state TEXT,
    end_state_reason TEXT,
    tags JSONB NOT NULL DEFAULT '[]',
    host_env TEXT,
    video TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY
  );
  CREATE INDEX sessions_by_project ON sessions(project_id, init_timestamp DESC, seq DESC);
  CREATE INDEX sessions_by_tag ON sessions USING GIN (tags jsonb_path_ops);
  CREATE TABLE agents (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    span_id TEXT,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (session_id, id)
  );
  CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    init_timestamp TEXT COLLATE "C" NOT NULL,
    end_timestamp TEXT COLLATE "C" NOT NULL,
    agent_id TEXT,
    model TEXT,
    prompt_tokens BIGINT,
    completion_tokens BIGINT,
    cost DOUBLE PRECISION,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (session_id, id)
  );
  CREATE INDEX events_by_session_type ON events(session_id, event_type, init_timestamp, seq);
  CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    session_id TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY
  );
  CREATE INDEX uploads_by_session ON uploads(session_id, created_at, seq);
  `,
  // Prompt-cache and reasoning token counts of LLM calls, summed in a session's stats.
  `
  ALTER TABLE events ADD COLUMN cache_read_tokens BIGINT;
  ALTER TABLE events ADD COLUMN cache_creation_tokens BIGINT;
  ALTER TABLE events ADD COLUMN reasoning_tokens BIGINT;
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
    timestamp TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    score DOUBLE PRECISION,
    label TEXT,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (session_id, id)
  );
  CREATE INDEX evaluations_by_session ON evaluations(session_id, timestamp, seq);
  `,
  // Each session's totals and its cost per model, kept as events are inserted, so the overview of a
  // project reads sessions, not their events. Filled from the events already stored.
  `
  ALTER TABLE sessions ADD COLUMN llm_calls BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN errors BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN prompt_tokens BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN completion_tokens BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN cache_read_tokens BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN cost DOUBLE PRECISION NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN last_event_end TEXT COLLATE "C";
  UPDATE sessions SET
    llm_calls = t.llm_calls, errors = t.errors, prompt_tokens = t.prompt_tokens, completion_tokens = t.completion_tokens,
    cache_read_tokens = t.cache_read_tokens, cost = t.cost, last_event_end = t.last_end
  FROM (SELECT session_id, COUNT(*) FILTER (WHERE event_type = 'llms') AS llm_calls,
               COUNT(*) FILTER (WHERE event_type = 'errors') AS errors,
               COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens, COALESCE(SUM(completion_tokens), 0) AS completion_tokens,
               COALESCE(SUM(cache_read_tokens), 0) AS cache_read_tokens, COALESCE(SUM(cost), 0) AS cost,
               MAX(end_timestamp) AS last_end
        FROM events GROUP BY session_id) AS t
  WHERE sessions.id = t.session_id;
  CREATE TABLE session_models (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    model TEXT NOT NULL,
    llm_calls BIGINT NOT NULL,
    prompt_tokens BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    cost DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (session_id, model)
  );
  INSERT INTO session_models (session_id, model, llm_calls, prompt_tokens, completion_tokens, cost)
    SELECT session_id, model, COUNT(*), COALESCE(SUM(prompt_tokens), 0), COALESCE(SUM(completion_tokens), 0),
           COALESCE(SUM(cost), 0)
    FROM events WHERE event_type = 'llms' AND model IS NOT NULL GROUP BY session_id, model;
  `,
  // The rest of a session's totals (tool calls, actions, evaluations, the other token kinds), so a
  // session's stats and the session list read its row, never its events.
  `
  ALTER TABLE sessions ADD COLUMN tool_calls BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN actions BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN cache_creation_tokens BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN reasoning_tokens BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN evaluations BIGINT NOT NULL DEFAULT 0;
  UPDATE sessions SET
    tool_calls = t.tool_calls, actions = t.actions, cache_creation_tokens = t.cache_creation_tokens,
    reasoning_tokens = t.reasoning_tokens
  FROM (SELECT session_id, COUNT(*) FILTER (WHERE event_type = 'tools') AS tool_calls,
               COUNT(*) FILTER (WHERE event_type = 'actions') AS actions,
               COALESCE(SUM(cache_creation_tokens), 0) AS cache_creation_tokens,
               COALESCE(SUM(reasoning_tokens), 0) AS reasoning_tokens
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
  // Full-text search: each event's words (search-text.ts), and each session's tags (doc_id NULL).
  `
  CREATE TABLE search (
    session_id TEXT NOT NULL,
    doc_id TEXT,
    doc tsvector NOT NULL
  );
  CREATE INDEX search_doc ON search USING GIN (doc);
  CREATE INDEX search_session ON search (session_id);
  `,
  // Retention (retention/policy.ts): each project's policy, and on each session the bytes of its
  // stored events (the payload budget's measure), when its payloads were removed, and how far that
  // has come (the last event id done). An event's words are found by their event to be removed.
  `
  CREATE TABLE retention_policies (
    project_id TEXT PRIMARY KEY REFERENCES projects(id),
    policy JSONB NOT NULL,
    updated_at TEXT NOT NULL
  );
  ALTER TABLE sessions ADD COLUMN payload_bytes BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE sessions ADD COLUMN payload_removed_at TEXT COLLATE "C";
  ALTER TABLE sessions ADD COLUMN payload_cursor TEXT;
  CREATE INDEX sessions_payload_begun ON sessions (project_id)
    WHERE payload_cursor IS NOT NULL AND payload_removed_at IS NULL;
  UPDATE sessions SET payload_bytes = t.n
  FROM (SELECT session_id, SUM(octet_length(data)) AS n FROM events GROUP BY session_id) AS t
  WHERE sessions.id = t.session_id;
  CREATE INDEX search_session_doc ON search (session_id, doc_id);
  DROP INDEX search_session;
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
    created_at TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX alert_rules_by_project ON alert_rules (project_id);
  CREATE TABLE spend_hours (
    project_id TEXT NOT NULL,
    dimension TEXT NOT NULL,
    key TEXT NOT NULL,
    hour TEXT COLLATE "C" NOT NULL,
    cost DOUBLE PRECISION NOT NULL,
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
    fired_at TEXT COLLATE "C" NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_at TEXT COLLATE "C" NOT NULL,
    last_error TEXT,
    delivered_at TEXT COLLATE "C",
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
  // Events and their search words in a partition per day, by the day their session was first
  // stored (its created_at, the server's clock: a client's clock cannot make partitions), so a
  // day's events go with their session, and retention drops a day whose sessions have all passed
  // their time (retention.ts) instead of deleting its rows. agentops_partition(day) makes a day's
  // partitions the first time an event of it is stored (once across instances). The events of the
  // database so far are moved into their days' partitions.
  `
  ALTER TABLE sessions ADD COLUMN part INTEGER GENERATED ALWAYS AS (
    CASE WHEN created_at ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T'
      THEN make_date(substr(created_at, 1, 4)::int, substr(created_at, 6, 2)::int, substr(created_at, 9, 2)::int)
        - DATE '1970-01-01'
      -- Never written by the server: such a session's events go in the first day's partition.
      ELSE 0 END
  ) STORED;
  CREATE INDEX sessions_by_part ON sessions (part);
  CREATE FUNCTION agentops_partition(day INTEGER) RETURNS INTEGER LANGUAGE plpgsql AS $$
  DECLARE
    suffix TEXT := to_char(DATE '1970-01-01' + day, 'YYYYMMDD');
  BEGIN
    IF to_regclass('events_' || suffix) IS NOT NULL THEN RETURN day; END IF;
    PERFORM pg_advisory_xact_lock(hashtext('agentops:partitions'));
    BEGIN
      EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%s) TO (%s)', 'events_' || suffix, day, day + 1);
      EXECUTE format('CREATE TABLE %I PARTITION OF search FOR VALUES FROM (%s) TO (%s)', 'search_' || suffix, day, day + 1);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
      -- Another instance made them first.
    END;
    RETURN day;
  END $$;

  ALTER TABLE events RENAME TO events_unpartitioned;
  ALTER INDEX events_pkey RENAME TO events_unpartitioned_pkey;
  ALTER INDEX events_by_session_type RENAME TO events_unpartitioned_by_session_type;
  CREATE TABLE events (
    part INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    init_timestamp TEXT COLLATE "C" NOT NULL,
    end_timestamp TEXT COLLATE "C" NOT NULL,
    agent_id TEXT,
    model TEXT,
    prompt_tokens BIGINT,
    completion_tokens BIGINT,
    cost DOUBLE PRECISION,
    data TEXT NOT NULL,
    received_at TEXT NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    cache_read_tokens BIGINT,
    cache_creation_tokens BIGINT,
    reasoning_tokens BIGINT,
    PRIMARY KEY (part, session_id, id)
  ) PARTITION BY RANGE (part);
  CREATE INDEX events_by_session_type ON events (session_id, event_type, init_timestamp, seq);

  ALTER TABLE search RENAME TO search_unpartitioned;
  ALTER INDEX search_doc RENAME TO search_unpartitioned_doc;
  ALTER INDEX search_session_doc RENAME TO search_unpartitioned_session_doc;
  CREATE TABLE search (
    part INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    doc_id TEXT,
    doc tsvector NOT NULL
  ) PARTITION BY RANGE (part);
  CREATE INDEX search_doc ON search USING GIN (doc);
  CREATE INDEX search_session_doc ON search (session_id, doc_id);

  SELECT agentops_partition(part) FROM (SELECT DISTINCT part FROM sessions) AS days;
  INSERT INTO events (part, session_id, id, event_type, init_timestamp, end_timestamp, agent_id, model, prompt_tokens,
                      completion_tokens, cost, data, received_at, seq, cache_read_tokens, cache_creation_tokens,
                      reasoning_tokens)
    OVERRIDING SYSTEM VALUE
    SELECT s.part, e.session_id, e.id, e.event_type, e.init_timestamp, e.end_timestamp, e.agent_id, e.model,
           e.prompt_tokens, e.completion_tokens, e.cost, e.data, e.received_at, e.seq, e.cache_read_tokens,
           e.cache_creation_tokens, e.reasoning_tokens
    FROM events_unpartitioned AS e JOIN sessions AS s ON s.id = e.session_id;
  SELECT setval(pg_get_serial_sequence('events', 'seq'), COALESCE((SELECT MAX(seq) FROM events), 0) + 1, false);
  INSERT INTO search (part, session_id, doc_id, doc)
    SELECT s.part, w.session_id, w.doc_id, w.doc FROM search_unpartitioned AS w JOIN sessions AS s ON s.id = w.session_id;
  DROP TABLE events_unpartitioned;
  DROP TABLE search_unpartitioned;
  `,
  // Search off the ingest path: a batch's events are queued in its transaction, and indexed by an
  // instance's PostgresSearchQueue (postgres-search.ts), each entry by one instance (taken with
  // FOR UPDATE SKIP LOCKED, removed in the transaction that writes its words).
  `
  CREATE TABLE search_queue (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    part INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    event_ids TEXT[] NOT NULL,
    queued_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
  );
  `,
];
