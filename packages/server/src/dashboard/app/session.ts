/** A session's page (`/sessions/:id`): its figures, a waterfall of its events nested as their spans were, each event's detail. */
import type {
  ActionEventPayload,
  ErrorEventPayload,
  EvaluationPayload,
  EventPeer,
  ExportedLlmEvent,
  SessionExport,
  SessionRecord,
  SessionStats,
  ToolEventPayload,
} from '@agentops/exporter';
import { searchText, searchWords, wordsOf } from '../../db/search-text.js';
import { api, apiText, app, esc } from './dom.js';
import { axisLabel, fmtBytes, fmtScore, fmtTime, state } from './format.js';

/** Characters of one captured log shown on the page. */
const LOG_SHOWN = 200000;

type Exported = ExportedLlmEvent | ToolEventPayload | ActionEventPayload | ErrorEventPayload;
/** An evaluation, with the row of what it judged (none: the session). */
type Judged = EvaluationPayload & { target?: Row };
/** An event as a row of the waterfall. */
type Row = Exported & {
  type: Exported['event_type'];
  label: string;
  start: number;
  ms: number;
  evaluations: Judged[];
  /** The MCP server or remote agent whose process recorded it. */
  remote?: EventPeer;
};

function labelOf(e: Exported): string {
  switch (e.event_type) {
    case 'llms':
      return `LLM ${e.model || ''}`;
    case 'tools':
      return `Tool ${e.name}`;
    case 'actions':
      return `${e.action_kind === 'workflow' ? 'Workflow ' : e.action_kind === 'task' ? 'Task ' : 'Action '}${e.action_type}`;
    default:
      return e.error_type || 'Error';
  }
}

function messages(list: unknown): string {
  if (list == null) return '';
  if (typeof list === 'string') return `<div class="msg user">${esc(list)}</div>`;
  const arr: unknown[] = Array.isArray(list) ? list : [list];
  // Whatever the API accepted: a message may be null, a string, a number or an object of any shape.
  return arr
    .map((m) => {
      if (m === null || typeof m !== 'object')
        return `<div class="msg">${esc(typeof m === 'string' ? m : JSON.stringify(m))}</div>`;
      const msg = m as { role?: unknown; content?: unknown; tool_calls?: unknown };
      const role = typeof msg.role === 'string' ? msg.role : '';
      return `<div class="msg ${esc(role)}"><b>${esc(role)}</b>\n${esc(typeof msg.content === 'string' ? msg.content : JSON.stringify(msg.content ?? '', null, 2))}${msg.tool_calls ? `\n${esc(JSON.stringify(msg.tool_calls, null, 2))}` : ''}</div>`;
    })
    .join('');
}

const json = (v: unknown): string =>
  v === undefined || v === null
    ? '<span class="muted">none</span>'
    : `<pre>${esc(typeof v === 'string' ? v : JSON.stringify(v, null, 2))}</pre>`;

/** The cached and reasoning parts of an LLM call's (or a session's) tokens, when it has any. */
function tokenParts(t: {
  cache_read_tokens?: number | null;
  cache_creation_tokens?: number | null;
  reasoning_tokens?: number | null;
}): string {
  const parts = (
    [
      [t.cache_read_tokens, 'read from the prompt cache'],
      [t.cache_creation_tokens, 'written to the prompt cache'],
      [t.reasoning_tokens, 'reasoning'],
    ] as const
  )
    .filter(([n]) => (n ?? 0) > 0)
    .map(([n, what]) => `${n} ${what}`);
  return parts.length ? `<p class="muted tokens-cached">${parts.join(' · ')}</p>` : '';
}

const KIND_WORDS: Record<string, string> = { llms: 'LLM call', tools: 'Tool call', actions: 'Action', errors: 'Error' };

function kindInWords(e: Row): string {
  if (e.event_type === 'actions' && e.action_kind) return e.action_kind === 'workflow' ? 'Workflow' : 'Task';
  return KIND_WORDS[e.type] || e.type;
}

/** The event an error was triggered by: its name, as a link that selects it (or its id, when it is not in this session). */
function triggeredBy(e: ErrorEventPayload, rows: Row[]): string {
  if (!e.trigger_event_id) return '';
  const i = rows.findIndex((x) => x.id === e.trigger_event_id);
  if (i < 0)
    return `<p class="muted">Triggered by ${esc(KIND_WORDS[e.trigger_event_type ?? ''] || 'event')} <code>${esc(e.trigger_event_id)}</code></p>`;
  return `<p class="muted">Triggered by <a href="#" class="trigger" data-goto="${i}">${esc(rows[i]?.label)}</a></p>`;
}

/** The other side of a protocol call in words: "MCP server weather 1.2.0", "A2A agent Weather Agent". */
const peerWords = (p: EventPeer): string =>
  `${p.protocol === 'mcp' ? 'MCP server ' : 'A2A agent '}${p.name}${p.version ? ` ${p.version}` : ''}`;

/** An event's detail; rows are the session page's events, in the order of its rows. */
function detail(e: Row, rows: Row[]): string {
  let h = `<h3>${esc(e.label)}</h3><p class="muted">${esc(kindInWords(e))} · ${esc(e.init_timestamp)} · ${Math.round(e.ms)} ms${e.origin?.host ? ` · ${esc(e.origin.host)} pid ${esc(e.origin.pid)}` : ''}</p>`;
  if (e.peer) h += `<p class="peer-detail">To ${esc(peerWords(e.peer))}</p>`;
  if (e.remote) h += `<p class="peer-detail">Recorded by ${esc(peerWords(e.remote))}, in its own process</p>`;
  if (e.event_type === 'llms')
    h += `<p>Model <b>${esc(e.model)}</b> · ${e.prompt_tokens ?? 0} prompt / ${e.completion_tokens ?? 0} completion tokens · $${Number(e.cost || 0).toFixed(6)}</p>${tokenParts(e)}<h4>Prompt</h4>${messages(e.prompt)}<h4>Completion</h4>${messages(e.completion)}`;
  else if (e.event_type === 'tools') h += `<h4>Arguments</h4>${json(e.params)}<h4>Result</h4>${json(e.returns)}`;
  else if (e.event_type === 'actions') h += `<h4>Params</h4>${json(e.params)}<h4>Returns</h4>${json(e.returns)}`;
  else
    h += `<p><b>${esc(e.error_type)}</b> ${esc(e.code || '')}</p><h4>Details</h4>${json(e.details)}<h4>Logs</h4>${json(e.logs)}${triggeredBy(e, rows)}`;
  if (e.evaluations.length)
    h += `<h4>Evaluations</h4><ul class="evaluations">${e.evaluations.map((v) => evaluationItem(v, rows, false)).join('')}</ul>`;
  return h;
}

/** The session's host environment, a group per heading (OS, CPU, RAM, ...), sizes in GB; anything else as JSON. */
function hostPane(env: object): string {
  return Object.entries(env)
    .map(([group, values]: [string, unknown]) => {
      if (values === null || typeof values !== 'object')
        return `<dl class="host"><dt>${esc(group)}</dt><dd>${esc(values)}</dd></dl>`;
      const bytes = group === 'RAM' || group === 'Disk';
      return `<p class="muted" style="margin:.4rem 0 0"><b>${esc(group)}</b></p><dl class="host">${Object.entries(
        values,
      )
        .map(
          ([k, v]: [string, unknown]) =>
            `<dt>${esc(k)}</dt><dd>${esc(bytes && typeof v === 'number' ? fmtBytes(v) : typeof v === 'object' ? JSON.stringify(v) : v)}</dd>`,
        )
        .join('')}</dl>`;
    })
    .join('');
}

/** One evaluation: its name, score, label and why; in the session's list, also what it judged (a link that selects it). */
function evaluationItem(v: Judged, rows: Row[], withTarget: boolean): string {
  const i = withTarget && v.target ? rows.indexOf(v.target) : -1;
  const of = !withTarget
    ? ''
    : i >= 0
      ? ` <span class="muted">of</span> <a href="#" class="trigger" data-goto="${i}">${esc(rows[i]?.label)}</a>`
      : ` <span class="muted">of ${v.event_id ? `event <code>${esc(v.event_id)}</code>` : 'the session'}</span>`;
  return `<li class="evaluation"><b>${esc(v.name)}</b>${of} ${v.score != null ? `<span class="score">${esc(fmtScore(v.score))}</span> ` : ''}${v.label ? `<span class="tag">${esc(v.label)}</span>` : ''}${v.explanation ? `<br><span class="muted">${esc(v.explanation)}</span>` : ''}</li>`;
}

/** A session's evaluations: per name how many, their mean score and labels; then each, with what it judged. */
function evaluationsSection(st: SessionStats, evals: Judged[], rows: Row[]): string {
  if (!evals.length) return '';
  const summary = (st.evaluation_scores || [])
    .map(
      (x) =>
        `<tr><td><b>${esc(x.name)}</b></td><td>${x.count}</td><td>${x.mean_score == null ? '<span class="muted">no score</span>' : `<span class="score">${esc(fmtScore(x.mean_score))}</span>`}</td><td>${Object.entries(
          x.labels,
        )
          .map(([l, n]) => `<span class="tag">${esc(l)} ${n}</span>`)
          .join('')}</td></tr>`,
    )
    .join('');
  return `<section aria-label="Evaluations"><h3>Evaluations</h3><table class="eval-summary"><thead><tr><th>Name</th><th>Count</th><th>Mean score</th><th>Labels</th></tr></thead><tbody>${summary}</tbody></table><ul class="evaluations">${evals.map((v) => evaluationItem(v, rows, true)).join('')}</ul></section>`;
}

/** The waterfall's time axis: ticks at the round step (1, 2 or 5 times a power of ten, 1 ms at least) that gives nearest five across. */
function timeAxis(span: number): string {
  const pow = 10 ** Math.floor(Math.log10(span / 5));
  // Never finer than a millisecond, the timestamps' own resolution: a 1 ms session has ticks 0 and 1 ms.
  const step = Math.max(
    1,
    [1, 2, 5, 10]
      .map((k) => k * pow)
      .reduce((best, st) => (Math.abs(span / st - 5) < Math.abs(span / best - 5) ? st : best)),
  );
  let html = '<div class="wf-track wf-ticks" aria-label="Time since the session started">';
  // The last round tick keeps clear of the end's label; on a narrow screen every other one is hidden.
  for (let t = 0, n = 0; t <= span * 0.8; t += step, n++)
    html += `<span class="wf-tick${n % 2 ? ' odd' : ''}" style="left:${((t / span) * 100).toFixed(3)}%">${axisLabel(Math.round(t))}</span>`;
  return `${html}<span class="wf-tick end" style="left:100%">${axisLabel(Math.round(span))}</span></div>`;
}

/** The replays and forks made from this session (`agentops.replay()`), each linked. */
async function drawForks(id: string): Promise<void> {
  const { sessions } = await api<{ sessions: SessionRecord[] }>(
    `/v2/sessions?forked_from=${encodeURIComponent(id)}&limit=20`,
  );
  const forks = document.getElementById('forks');
  if (!forks || sessions.length === 0) return;
  forks.innerHTML = `Replays and forks of this session: ${sessions
    .map(
      (f) =>
        `<a href="/sessions/${esc(f.session_id)}">${esc(f.session_id.slice(0, 8))}</a> (${f.fork_step === null ? 'replay' : `fork from step ${f.fork_step}`}${f.end_state ? `, ${esc(f.end_state)}` : ''})`,
    )
    .join(', ')}`;
}

/** A running session's page is read again every few seconds while it is shown. */
let refresh: ReturnType<typeof setTimeout> | undefined;
export function stopRefreshing(): void {
  clearTimeout(refresh);
}

export async function sessionPage(id: string): Promise<void> {
  const data = await api<SessionExport>(`/v2/sessions/${encodeURIComponent(id)}/export`);
  const s = data.session;
  const st = data.stats;
  const all: Row[] = [...data.llms, ...data.tools, ...data.actions, ...data.errors].map((e) => ({
    ...e,
    type: e.event_type,
    label: labelOf(e),
    start: Date.parse(e.init_timestamp),
    ms: Date.parse(e.end_timestamp) - Date.parse(e.init_timestamp),
    evaluations: [],
  }));
  const bySpan = new Map(all.filter((e) => e.span_id).map((e) => [e.span_id as string, e]));
  const parentOf = (e: { parent_span_id?: string | null }) =>
    e.parent_span_id ? bySpan.get(e.parent_span_id) : undefined;
  // What each evaluation judged: the event it names, else the one whose span is its parent, else the session.
  const byId = new Map(all.map((e) => [e.id, e]));
  const evals: Judged[] = (data.evaluations || []).map((v) => ({ ...v }));
  for (const v of evals) {
    v.target = (v.event_id ? byId.get(v.event_id) : undefined) || parentOf(v);
    v.target?.evaluations.push(v);
  }
  const agents = new Map(data.agents.map((a) => [a.id, a.name]));
  const t0 = Date.parse(s.init_timestamp);
  const tEnd = Math.max(
    s.end_timestamp ? Date.parse(s.end_timestamp) : Date.now(),
    ...all.map((e) => Date.parse(e.end_timestamp)),
  );
  const span = Math.max(1, tEnd - t0);
  // Nest by parent span, and group under agents.
  const depth = (e: Row) => {
    let d = 0;
    let p: Row | undefined = e;
    while (p && parentOf(p) && d < 20) {
      p = parentOf(p);
      d++;
    }
    return d;
  };
  const groups = new Map<string, Row[]>();
  // An event's agent: its own agent_id, else the agent whose span it is nested under (at any depth).
  const agentBySpan = new Map(data.agents.filter((a) => a.span_id).map((a) => [a.span_id as string, a.id]));
  const agentOf = (e: Row) => {
    for (let p: Row | undefined = e, d = 0; p && d < 50; d++) {
      if (p.agent_id) return p.agent_id;
      const a = p.parent_span_id ? agentBySpan.get(p.parent_span_id) : undefined;
      if (a) return a;
      p = parentOf(p);
    }
    return '';
  };
  // Started in the same millisecond: the enclosing span first.
  for (const e of all.sort((a, b) => a.start - b.start || depth(a) - depth(b))) {
    const key = agentOf(e);
    const group = groups.get(key) ?? [];
    group.push(e);
    groups.set(key, group);
  }
  // The processes that recorded the session, in the order they started recording: with several
  // (an MCP server, a remote agent, a service called with traceparent), each row says whose it is.
  const procOf = (e: Row) => (e.origin?.host ? `${e.origin.host}:${e.origin.pid}` : '');
  const hosts = [
    ...new Set(
      [...all]
        .sort((a, b) => a.start - b.start)
        .map(procOf)
        .filter(Boolean),
    ),
  ];
  // The MCP server or remote agent whose process recorded an event: the other side named by the
  // nearest call above it that crossed to another process (the caller knows who it called).
  // (An agent's span stands between: a remote agent's work is under its agent, the agent under the call.)
  const agentParent = new Map(data.agents.filter((a) => a.span_id).map((a) => [a.span_id as string, a.parent_span_id]));
  const remoteOf = (e: Row): EventPeer | undefined => {
    for (let id = e.parent_span_id, d = 0; id && d < 50; d++) {
      const p = bySpan.get(id);
      if (p?.peer && procOf(p) !== procOf(e)) return p.peer;
      id = p ? p.parent_span_id : agentParent.get(id);
    }
    return undefined;
  };
  for (const e of all) e.remote = remoteOf(e);
  const procBadge = (e: Row | undefined) =>
    e && hosts.length > 1 && procOf(e)
      ? `<span class="tag proc" title="Process ${esc(e.origin?.host)} pid ${esc(e.origin?.pid)}${e.remote ? ` · ${esc(peerWords(e.remote))}` : ''}">P${hosts.indexOf(procOf(e)) + 1}${e.remote ? ` · ${esc(e.remote.name)}` : ''}</span>`
      : '';
  const peerTag = (e: Row) =>
    e.peer?.protocol === 'mcp'
      ? `<span class="tag peer" title="${esc(peerWords(e.peer))}">MCP ${esc(e.peer.name)}</span>`
      : '';
  // The call an agent was invoked by, when it is an event of the session (a remote agent's caller's call).
  const agentCaller = new Map(data.agents.filter((a) => a.parent_span_id).map((a) => [a.id, parentOf(a)]));
  const who = (
    [
      ['Environment', s.environment],
      ['User', s.user_id],
      ['Release', s.release],
    ] as const
  ).filter(([, v]) => v);
  // Opened from a search: the events that hold its words (as the server's search reads them) are
  // marked; the session holds them all, in one event or in several (then those holding any).
  const query = new URLSearchParams(location.search).get('q') ?? '';
  const words = searchWords(query);
  const held = words.length === 0 ? [] : all.map((e) => ({ e, held: new Set(wordsOf(searchText(e))) }));
  const holdingAll = held.filter((h) => words.every((w) => h.held.has(w)));
  const together = holdingAll.length > 0;
  const hits = new Set((together ? holdingAll : held.filter((h) => words.some((w) => h.held.has(w)))).map((h) => h.e));
  // A fork (agentops.replay() with `from`): the call at its step is the first that ran live, marked.
  const calls = all
    .filter((e) => e.type === 'llms' || e.type === 'tools')
    .sort((a, b) => a.start - b.start || a.start + a.ms - (b.start + b.ms));
  const forkPoint = s.forked_from && s.fork_step !== null ? calls[s.fork_step] : undefined;
  // Replayable (agentops.replay()): every LLM call's HTTP exchange recorded, none changed by the mask.
  const llmCalls = data.llms;
  const recorded = llmCalls.filter((l) => typeof l.replay === 'object' && l.replay !== null && !l.replay.masked).length;
  const replayable =
    llmCalls.length === 0 || recorded === 0
      ? ''
      : `<span class="tag replayable" title="${recorded} of ${llmCalls.length} LLM calls recorded for agentops.replay()">${recorded === llmCalls.length ? 'replayable' : `partly replayable (${recorded} of ${llmCalls.length})`}</span>`;
  const lineage = s.forked_from
    ? `<p class="lineage">${
        s.fork_step === null
          ? `Replay of <a href="/sessions/${esc(s.forked_from)}">${esc(s.forked_from.slice(0, 8))}</a>: its calls answered from that session's recording.`
          : `Fork of <a href="/sessions/${esc(s.forked_from)}">${esc(s.forked_from.slice(0, 8))}</a> from step ${s.fork_step}: the calls before it replayed, the marked one and those after it run live.`
      }</p>`
    : '';
  const searched =
    hits.size > 0
      ? `<p class="muted search-hits">${hits.size} of ${all.length} events hold ${together ? '' : 'words of '}“${esc(query)}”, marked below</p>`
      : '';
  let html = `<p><a href="/sessions" style="color:var(--muted)">← Sessions</a></p><h2 style="margin:.2rem 0">${s.name ? `<span class="session-name">${esc(s.name)}</span> ` : ''}Session <code>${esc(s.session_id)}</code> ${state(s.end_state)}</h2>${s.end_state_reason ? `<p class="muted">${esc(s.end_state_reason)}</p>` : ''}<p>${(s.tags || []).map((t) => `<span class="tag">${esc(t)}</span>`).join('')}${replayable}</p>${lineage}<p class="muted" id="forks"></p>${who.length ? `<p class="muted session-context">${who.map(([k, v]) => `${esc(k)} <b>${esc(v)}</b>`).join(' · ')}</p>` : ''}<div class="cards"><div class="card"><span class="muted">Duration</span><b>${esc(st.duration)}</b></div><div class="card"><span class="muted">Cost</span><b>$${esc(st.cost)}</b></div><div class="card"><span class="muted">LLM calls</span><b>${st.llm_calls}</b></div><div class="card"><span class="muted">Tools</span><b>${st.tool_calls}</b></div><div class="card"><span class="muted">Actions</span><b>${st.actions}</b></div><div class="card"><span class="muted">Errors</span><b>${st.errors}</b></div><div class="card"><span class="muted">Tokens</span><b>${st.prompt_tokens + st.completion_tokens}</b>${st.cache_read_tokens > 0 ? `<span class="muted cached-share">${st.cache_read_tokens} cached</span>` : ''}</div><div class="card"><span class="muted">Processes</span><b>${Math.max(1, hosts.length)}</b></div>${st.evaluations > 0 ? `<div class="card"><span class="muted">Evaluations</span><b>${st.evaluations}</b></div>` : ''}</div><p class="legend muted"><span><i class="dot agents"></i>agent</span><span><i class="dot llms"></i>LLM</span><span><i class="dot tools"></i>tool</span><span><i class="dot actions"></i>action</span><span><i class="dot errors"></i>error</span></p>${searched}<div class="layout"><section aria-label="Waterfall" id="wf">`;
  html += `<div class="wf-row wf-axis" role="presentation"><div class="wf-label muted">Time</div>${timeAxis(span)}</div>`;
  const bar = (cls: string, start: number, ms: number) =>
    `<div class="wf-track"><div class="wf-bar ${cls}" style="left:${(((start - t0) / span) * 100).toFixed(3)}%;width:${Math.max(0.2, (ms / span) * 100).toFixed(3)}%"></div></div>`;
  let i = 0;
  for (const [agentId, events] of groups) {
    if (agentId) {
      const a0 = Math.min(...events.map((e) => e.start));
      const a1 = Math.max(...events.map((e) => e.start + e.ms));
      const caller = agentCaller.get(agentId);
      html += `<div class="wf-row" role="presentation"><div class="wf-label" title="Agent ${esc(agents.get(agentId) || agentId)}"><b>Agent ${esc(agents.get(agentId) || agentId.slice(0, 8))}</b>${caller ? ` <span class="muted agent-caller">← ${esc(caller.label)}</span>` : ''}${procBadge(events[0])}</div>${bar('agents', a0, a1 - a0)}</div>`;
    }
    for (const e of events) {
      const indent = (agentId ? 1 : 0) + depth(e);
      html += `<div class="wf-row${hits.has(e) ? ' hit' : ''}${e === forkPoint ? ' fork-point' : ''}" tabindex="0" role="button" data-i="${i++}" data-type="${esc(e.type)}"><div class="wf-label" title="${esc(e.label)}" style="padding-left:${indent}rem">${e.type === 'errors' ? '⚠ ' : ''}${esc(e.label)} <span class="muted">${Math.round(e.ms)} ms</span>${peerTag(e)}${procBadge(e)}${e === forkPoint ? '<span class="tag fork-tag" title="The first call of the fork that ran live">live from here</span>' : ''}${e.evaluations.length ? `<span class="tag eval-badge" title="${e.evaluations.length} evaluations">✓ ${e.evaluations.length}</span>` : ''}</div>${bar(e.type, e.start, e.ms)}</div>`;
    }
  }
  const ordered = [...groups.values()].flat();
  html += `</section><aside class="detail" id="detail" aria-live="polite"><p class="muted">Select an event to see its details.</p>${s.host_env ? `<h4>Host</h4>${hostPane(s.host_env)}` : ''}</aside></div>`;
  html += evaluationsSection(st, evals, ordered);
  const logs = data.logs || [];
  if (logs.length)
    html += `<section aria-label="Captured logs"><h3>Captured logs</h3>${logs.map((l) => `<p class="muted">${esc(fmtTime(l.uploaded_at))} · ${l.size} bytes</p><pre class="log" data-log="${esc(l.id)}">…</pre>`).join('')}</section>`;
  app.innerHTML = html;
  void drawForks(s.session_id).catch(() => {});
  for (const pre of app.querySelectorAll<HTMLElement>('pre[data-log]')) {
    apiText(`/v4/uploads/${encodeURIComponent(pre.dataset.log ?? '')}`).then(
      (text) => {
        pre.textContent =
          text.length > LOG_SHOWN
            ? `${text.slice(0, LOG_SHOWN)}\n… (${text.length - LOG_SHOWN} more characters)`
            : text;
      },
      (err: Error) => {
        pre.textContent = `Could not load: ${err.message}`;
      },
    );
  }
  const select = (row: HTMLElement) => {
    for (const r of app.querySelectorAll('.wf-row.selected')) r.classList.remove('selected');
    row.classList.add('selected');
    const pane = document.getElementById('detail') as HTMLElement;
    pane.innerHTML = detail(ordered[Number(row.dataset.i)] as Row, ordered);
    linksToEvents(pane);
  };
  // Links to an event of the page (a trigger, what an evaluation judged) select it.
  const linksToEvents = (root: HTMLElement) => {
    for (const a of root.querySelectorAll<HTMLElement>('a.trigger'))
      a.onclick = (ev) => {
        ev.preventDefault();
        const to = app.querySelector<HTMLElement>(`.wf-row[data-i="${a.dataset.goto}"]`);
        if (to) {
          select(to);
          to.focus();
        }
      };
  };
  linksToEvents(app);
  for (const row of app.querySelectorAll<HTMLElement>('.wf-row[data-i]')) {
    row.onclick = () => select(row);
    row.onkeydown = (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        select(row);
      }
    };
  }
  // The first event the search found is the one shown.
  const firstHit = app.querySelector<HTMLElement>('.wf-row.hit');
  if (firstHit) select(firstHit);
  if (!s.end_state)
    refresh = setTimeout(() => location.pathname === `/sessions/${id}` && sessionPage(id).catch(() => {}), 3000);
}
