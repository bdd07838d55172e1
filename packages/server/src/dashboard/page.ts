/**
 * The dashboard: one self-contained page (no CDN, works offline) that reads the same authenticated
 * API as the SDK, with a key entered once and kept in the browser. `/` lists sessions; `/sessions/:id`
 * shows one as a waterfall of its events, nested as their spans were.
 */
/** The page; its script is `DASHBOARD_JS`, at `/dashboard.js`. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AgentOps local</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%23171a21'/%3E%3Crect x='6' y='8' width='12' height='4' rx='2' fill='%234f8cff'/%3E%3Crect x='10' y='14' width='14' height='4' rx='2' fill='%232bb673'/%3E%3Crect x='14' y='20' width='12' height='4' rx='2' fill='%23b07cff'/%3E%3C/svg%3E">
<style>
  :root { --bg:#0f1115; --panel:#171a21; --text:#e6e8ee; --muted:#9aa3b2; --line:#2a2f3a;
          --llms:#4f8cff; --tools:#2bb673; --actions:#b07cff; --errors:#ff5d5d; --agents:#f2a93b; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; gap:1rem; align-items:center; padding:.75rem 1.25rem; border-bottom:1px solid var(--line); }
  header h1 { font-size:1rem; margin:0; } header a { color:var(--text); text-decoration:none; }
  main { padding:1rem 1.25rem; max-width:1400px; margin:0 auto; }
  table { width:100%; border-collapse:collapse; } th, td { text-align:left; padding:.45rem .5rem; border-bottom:1px solid var(--line); }
  th { color:var(--muted); font-weight:600; } tr.row { cursor:pointer; } tr.row:hover, tr.row:focus { background:var(--panel); outline:none; }
  .state { padding:.1rem .45rem; border-radius:.6rem; font-size:.8rem; font-weight:600; }
  .Success { background:#173d2a; color:#6fe3a4; } .Fail { background:#4a1d1d; color:#ff9b9b; }
  .Indeterminate { background:#3a3320; color:#f2cf7b; } .running { background:#1d2c4a; color:#9dc0ff; }
  .tag { display:inline-block; background:var(--panel); border:1px solid var(--line); border-radius:.5rem; padding:0 .4rem; margin-right:.25rem; font-size:.8rem; }
  .muted { color:var(--muted); } .filters { display:flex; gap:.5rem; margin-bottom:.75rem; flex-wrap:wrap; }
  input, select, button { background:var(--panel); color:var(--text); border:1px solid var(--line); border-radius:.35rem; padding:.35rem .55rem; font:inherit; }
  button { cursor:pointer; } button.copy { padding:0 .3rem; font-size:.8rem; } button:focus, input:focus, select:focus { outline:2px solid var(--llms); }
  .cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(140px,1fr)); gap:.5rem; margin:.75rem 0; }
  .card { background:var(--panel); border:1px solid var(--line); border-radius:.5rem; padding:.5rem .7rem; }
  .card b { display:block; font-size:1.1rem; }
  header nav a { color:var(--muted); margin-right:.6rem; } header nav a.current { color:var(--text); font-weight:600; }
  .charts { display:grid; grid-template-columns:repeat(auto-fill,minmax(320px,1fr)); gap:.75rem; margin:.75rem 0; }
  .chart { background:var(--panel); border:1px solid var(--line); border-radius:.5rem; padding:.5rem .7rem; min-width:0; overflow-x:auto; }
  .chart td { padding:.3rem .4rem; white-space:nowrap; } .chart td.name { white-space:normal; word-break:break-word; }
  .charts.wide { grid-template-columns:repeat(auto-fill,minmax(440px,1fr)); } #end-states { display:flex; flex-wrap:wrap; gap:.3rem .75rem; }
  @media (max-width: 700px) { .charts, .charts.wide { grid-template-columns:1fr; } }
  .chart h3 { font-size:.9rem; margin:0 0 .3rem; } .chart svg { width:100%; height:auto; display:block; }
  .chart .axis { fill:var(--muted); font-size:10px; } .chart line.grid { stroke:var(--line); }
  .bar-cost { fill:var(--agents); } .bar-sessions { fill:var(--llms); } .bar-tokens { fill:var(--tools); } .bar-cached { fill:#1d6b46; } .bar-errors { fill:var(--errors); }
  .line-p50 { stroke:var(--actions); fill:none; stroke-width:2; } .line-p95 { stroke:var(--agents); fill:none; stroke-width:2; stroke-dasharray:4 3; }
  circle.pt { stroke:none; } circle.line-p50 { fill:var(--actions); } circle.line-p95 { fill:var(--agents); }
  .ranges { display:flex; gap:.4rem; flex-wrap:wrap; align-items:end; margin:.5rem 0; } .ranges button.current { border-color:var(--llms); color:#9dc0ff; }
  .states { display:flex; height:14px; border-radius:4px; overflow:hidden; margin:.3rem 0; } .states span { display:block; height:100%; }
  .states .Success { background:#2bb673; } .states .Fail { background:var(--errors); } .states .Indeterminate { background:#f2cf7b; } .states .running { background:var(--llms); }
  .meter { background:var(--line); height:6px; border-radius:3px; } .meter span { display:block; height:6px; border-radius:3px; background:var(--agents); }
  .layout { display:grid; grid-template-columns: minmax(0,2fr) minmax(280px,1fr); gap:1rem; }
  @media (max-width: 1000px) { .layout { grid-template-columns: 1fr; } }
  .wf-row { display:grid; grid-template-columns: 260px 1fr; align-items:center; min-height:26px; cursor:pointer; border-radius:.3rem; }
  .wf-row:hover, .wf-row:focus, .wf-row.selected { background:var(--panel); outline:none; }
  .wf-label { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; padding-right:.5rem; }
  .wf-track { position:relative; height:14px; }
  .wf-bar { position:absolute; height:14px; border-radius:3px; min-width:3px; }
  .wf-axis { cursor:default; min-height:20px; border-bottom:1px solid var(--line); margin-bottom:.2rem; }
  .wf-axis:hover { background:none; }
  .wf-ticks { height:20px; }
  .wf-tick { position:absolute; top:0; height:20px; border-left:1px solid var(--line); padding-left:3px; font-size:.75rem; color:var(--muted); white-space:nowrap; }
  .wf-tick.end { border-left:none; border-right:1px solid var(--line); padding:0 3px 0 0; transform:translateX(-100%); }
  .llms { background:var(--llms); } .tools { background:var(--tools); } .actions { background:var(--actions); }
  .errors { background:var(--errors); } .agents { background:var(--agents); }
  .detail { background:var(--panel); border:1px solid var(--line); border-radius:.5rem; padding:.75rem; overflow:auto; max-height:80vh; }
  .msg { border-left:3px solid var(--line); padding:.25rem .6rem; margin:.4rem 0; white-space:pre-wrap; word-break:break-word; }
  .msg.assistant { border-color:var(--tools); } .msg.user { border-color:var(--llms); } .msg.system { border-color:var(--muted); } .msg.tool { border-color:var(--actions); }
  pre { white-space:pre-wrap; word-break:break-word; background:#0b0d11; padding:.5rem; border-radius:.35rem; }
  pre.log { max-height:24rem; overflow:auto; }
  #app a { color:#9dc0ff; }
  ul.evaluations { list-style:none; padding:0; margin:.25rem 0; } ul.evaluations li { padding:.3rem 0; border-bottom:1px solid var(--line); }
  .score { font-variant-numeric:tabular-nums; font-weight:600; } .eval-badge { font-size:.75rem; margin-left:.3rem; }
  .proc, .peer { font-size:.7rem; margin-left:.3rem; } .agent-caller { font-weight:normal; font-size:.8rem; }
  table.eval-summary td, table.eval-summary th { padding:.2rem .6rem .2rem 0; text-align:left; }
  dl.host { display:grid; grid-template-columns:max-content 1fr; gap:.1rem .75rem; margin:.25rem 0 .75rem; } dl.host dt { color:var(--muted); } dl.host dd { margin:0; word-break:break-word; }
  .scroll-x { overflow-x:auto; }
  header { flex-wrap:wrap; }
  @media (max-width: 600px) {
    main { padding:.75rem; } .wf-row { grid-template-columns: 120px 1fr; } .wf-tick.odd { display:none; }
    .filters label { display:flex; flex-direction:column; flex:1 1 40%; } .filters input, .filters select { width:100%; }
    h2 code { word-break:break-all; }
    .chart td.when { display:none; }
  }
  .chart td.value { text-align:right; width:100%; }
  .legend span { margin-right:.75rem; } .dot { display:inline-block; width:.7rem; height:.7rem; border-radius:2px; margin-right:.25rem; vertical-align:middle; }
</style>
</head>
<body>
<header><h1><a href="/">AgentOps · local</a></h1><nav><a href="/" id="nav-overview">Overview</a> <a href="/sessions" id="nav-sessions">Sessions</a></nav><span style="flex:1"></span><button id="logout" style="visibility:hidden">Forget key</button></header>
<main id="app"><p class="muted">Loading…</p></main>
<script type="module" src="/dashboard.js"></script>
</body>
</html>`;

/** The page's script, served from its own URL so the page's CSP allows no inline script. */
export const DASHBOARD_JS = String.raw`const app = document.getElementById('app');
const KEY = 'agentops.apiKey';
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const state = (s) => s ? '<span class="state ' + esc(s) + '">' + esc(s === 'Fail' ? 'Failure' : s) + '</span>' : '<span class="state running">Running</span>';
const fmtTime = (t) => t ? new Date(t).toLocaleString() : '';
async function api(path) {
  const res = await fetch(path, { headers: { 'X-Agentops-Api-Key': localStorage.getItem(KEY) || '' } });
  if (res.status === 401) { localStorage.removeItem(KEY); askKey('That API key was refused.'); throw new Error('unauthorized'); }
  if (!res.ok) throw new Error((await res.json().catch(() => ({}))).message || res.statusText);
  return res.json();
}
/** Characters of one captured log shown on the page. */
const LOG_SHOWN = 200000;
async function apiText(path) {
  const res = await fetch(path, { headers: { 'X-Agentops-Api-Key': localStorage.getItem(KEY) || '' } });
  if (!res.ok) throw new Error(res.statusText);
  return res.text();
}
function askKey(message) {
  app.innerHTML = '<form id="key"><h2>Project API key</h2><p class="muted">' + esc(message || 'The key agentops-server printed on first start (also in .agentops/api-key).') + '</p>' +
    '<label for="k">API key</label> <input id="k" size="40" autocomplete="off" required> <button>Open</button></form>';
  document.getElementById('k').focus();
  document.getElementById('key').onsubmit = (e) => { e.preventDefault(); localStorage.setItem(KEY, document.getElementById('k').value.trim()); route(); };
}
document.getElementById('logout').onclick = () => { localStorage.removeItem(KEY); askKey(); };

/** A From/To of the URL (local time, as the inputs hold it) into a query, as UTC. */
function putRange(params, q) {
  for (const f of ['from', 'to']) if (params.get(f) && !Number.isNaN(Date.parse(params.get(f)))) q.set(f, new Date(params.get(f)).toISOString());
}
/** A filter form goes to its path with its filled fields in the URL. */
function submitsTo(form, path) {
  form.onsubmit = (e) => { e.preventDefault(); const p = new URLSearchParams(); for (const [k, v] of new FormData(form)) if (v) p.set(k, v); go(path + '?' + p); };
}
/** Each session row of the page opens its session, by click or Enter. */
function rowsOpenSessions() {
  for (const tr of app.querySelectorAll('tr.row')) { const open = () => go('/sessions/' + tr.dataset.id); tr.onclick = open; tr.onkeydown = (e) => { if (e.key === 'Enter') open(); }; }
}
/** The overview's time ranges: the last day in hours, else days; or a From/To the user picked. */
const RANGES = [['24h', 'Last 24 hours', 86400000], ['7d', 'Last 7 days', 7 * 86400000], ['30d', 'Last 30 days', 30 * 86400000]];
const money = (v) => '$' + (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4));
const count = (v) => v >= 1e6 ? (v / 1e6).toFixed(1) + 'M' : v >= 1e4 ? (v / 1e3).toFixed(1) + 'k' : v < 10 && v % 1 ? v.toFixed(1) : String(Math.round(v));
const shortTime = (t) => new Date(t).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const ms = (v) => v === null || v === undefined ? '–' : v < 1000 ? Math.round(v) + ' ms' : v < 60000 ? (v / 1000).toFixed(1) + ' s' : (v / 60000).toFixed(1) + ' min';
function bucketLabel(start, bucket) {
  const d = new Date(start);
  return bucket === 'hour' ? shortTime(start) : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}
/**
 * A chart of the series as SVG: bars (one or two stacked parts) or lines, a grid at half and full
 * height labelled with the value, the first and last bucket under it; each bucket's values on hover.
 */
function chart(title, o, parts, kind, fmt) {
  const W = 320, H = 120, L = 44, B = 16, n = o.series.length, w = (W - L) / Math.max(1, n);
  const total = (p) => parts.reduce((a, part) => a + (p[part.key] || 0), 0);
  const max = Math.max(...o.series.map((p) => kind === 'line' ? Math.max(...parts.map((part) => p[part.key] || 0)) : total(p)), 0) || 1;
  const y = (v) => (H - B) - v / max * (H - B - 4);
  let svg = '<svg viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="' + esc(title) + ' per ' + o.bucket + '">';
  for (const f of [0.5, 1]) svg += '<line class="grid" x1="' + L + '" x2="' + W + '" y1="' + y(max * f) + '" y2="' + y(max * f) + '"></line><text class="axis" x="' + (L - 4) + '" y="' + (y(max * f) + 3) + '" text-anchor="end">' + esc(fmt(max * f)) + '</text>';
  o.series.forEach((p, i) => {
    const tip = bucketLabel(p.start, o.bucket) + ': ' + parts.map((part) => part.label + ' ' + fmt(p[part.key] || 0)).join(', ');
    if (kind === 'line') { svg += '<rect x="' + (L + i * w) + '" y="0" width="' + w + '" height="' + (H - B) + '" fill="transparent" class="hover"><title>' + esc(tip) + '</title></rect>'; return; }
    let base = 0;
    for (const part of parts) {
      const v = p[part.key] || 0;
      if (v > 0) svg += '<rect class="' + part.cls + '" data-bucket="' + esc(p.start) + '" x="' + (L + i * w + w * 0.12).toFixed(2) + '" y="' + y(base + v).toFixed(2) + '" width="' + (w * 0.76).toFixed(2) + '" height="' + (y(base) - y(base + v)).toFixed(2) + '"><title>' + esc(tip) + '</title></rect>';
      base += v;
    }
  });
  if (kind === 'line') for (const part of parts) {
    const pts = o.series.map((p, i) => p[part.key] === null ? null : (L + i * w + w / 2).toFixed(1) + ',' + y(p[part.key]).toFixed(1));
    let d = '', pen = false;
    for (const pt of pts) { if (pt === null) { pen = false; continue; } d += (pen ? ' L' : ' M') + pt; pen = true; }
    if (d) svg += '<path class="' + part.cls + '" d="' + d.trim() + '"></path>';
    // Each point a dot too: a bucket alone between empty ones (or the only one) has no line to draw.
    for (const pt of pts) if (pt !== null) svg += '<circle class="' + part.cls + ' pt" cx="' + pt.split(',')[0] + '" cy="' + pt.split(',')[1] + '" r="2.5"></circle>';
  }
  if (n) svg += '<text class="axis" x="' + L + '" y="' + (H - 3) + '">' + esc(bucketLabel(o.series[0].start, o.bucket)) + '</text><text class="axis" x="' + W + '" y="' + (H - 3) + '" text-anchor="end">' + esc(bucketLabel(o.series[n - 1].start, o.bucket)) + '</text>';
  const legend = parts.length > 1 ? '<p class="legend muted">' + parts.map((part) => '<span><i class="dot" style="background:' + part.color + '"></i>' + esc(part.label) + '</span>').join('') + '</p>' : '';
  return '<section class="chart" aria-label="' + esc(title) + '"><h3>' + esc(title) + '</h3>' + svg + '</svg>' + legend + '</section>';
}
function sessionTable(title, rows, value) {
  return '<section class="chart" aria-label="' + esc(title) + '"><h3>' + esc(title) + '</h3>' + (rows.length ? '<table><tbody>' + rows.map((r) =>
    '<tr class="row" tabindex="0" data-id="' + esc(r.session_id) + '"><td><code title="' + esc(r.session_id) + '">' + esc(r.session_id.slice(0, 8)) + '</code></td><td class="muted when">' + esc(shortTime(r.init_timestamp)) + '</td><td>' + state(r.end_state) + '</td><td class="value"><b>' + esc(value(r)) + '</b></td></tr>').join('') + '</tbody></table>' : '<p class="muted">None in this range.</p>') + '</section>';
}
/** The overview with its money (decimal strings, as the API gives all money) as numbers, to draw and add. */
function dollars(o) {
  const each = (rows) => rows.forEach((r) => { r.cost = Number(r.cost); });
  o.totals.cost = Number(o.totals.cost);
  each(o.series); each(o.cost_by_model); each(o.slowest); each(o.costliest);
  return o;
}

async function overviewPage() {
  const params = new URLSearchParams(location.search);
  const range = RANGES.find((r) => r[0] === params.get('range')) || (params.get('from') ? undefined : RANGES[1]);
  const q = new URLSearchParams();
  if (range) { const to = Date.now(); q.set('from', new Date(to - range[2]).toISOString()); q.set('to', new Date(to).toISOString()); if (range[0] === '24h') q.set('bucket', 'hour'); }
  else putRange(params, q);
  const o = dollars(await api('/v2/overview?' + q));
  const t = o.totals;
  const order = ['Success', 'Fail', 'Indeterminate', 'running'];
  const states = Object.entries(o.end_states).sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0])), nStates = states.reduce((a, [, v]) => a + v, 0);
  const stateName = (k) => k === 'Fail' ? 'Failure' : k === 'running' ? 'Running' : k;
  const maxModel = Math.max(0, ...o.cost_by_model.map((m) => m.cost)) || 1;
  let html = '<h2>Overview</h2><form class="ranges" id="ranges">' + RANGES.map((r) => '<button type="button" data-range="' + r[0] + '"' + (range && range[0] === r[0] ? ' class="current" aria-pressed="true"' : ' aria-pressed="false"') + '>' + r[1] + '</button>').join('') +
    '<label>From <input type="datetime-local" name="from" value="' + esc(range ? '' : params.get('from') || '') + '"></label><label>To <input type="datetime-local" name="to" value="' + esc(range ? '' : params.get('to') || '') + '"></label><button>Show</button>' +
    '<span class="muted">' + esc(fmtTime(o.from)) + ' – ' + esc(fmtTime(o.to)) + ', per ' + o.bucket + '</span></form>' +
    '<div class="cards" id="totals"><div class="card"><span class="muted">Sessions</span><b>' + count(t.sessions) + '</b></div><div class="card"><span class="muted">Cost</span><b>' + money(t.cost) + '</b></div>' +
    '<div class="card"><span class="muted">Tokens</span><b>' + count(t.prompt_tokens + t.completion_tokens) + '</b><span class="muted cached-share">' + count(t.cache_read_tokens) + ' cached</span></div>' +
    '<div class="card"><span class="muted">LLM calls</span><b>' + count(t.llm_calls) + '</b></div><div class="card"><span class="muted">Errors</span><b>' + count(t.errors) + '</b></div>' +
    '<div class="card"><span class="muted">Duration p50 / p95</span><b>' + ms(t.duration_p50_ms) + ' / ' + ms(t.duration_p95_ms) + '</b></div></div>';
  if (!t.sessions) html += '<p class="muted">No sessions started in this range.</p>';
  const uncached = o.series.map((p) => Object.assign({}, p, { fresh: p.prompt_tokens - p.cache_read_tokens + p.completion_tokens }));
  html += '<div class="charts">' + chart('Sessions', o, [{ key: 'sessions', label: 'sessions', cls: 'bar-sessions' }], 'bar', count) +
    chart('Cost', o, [{ key: 'cost', label: 'cost', cls: 'bar-cost' }], 'bar', money) +
    chart('Tokens', Object.assign({}, o, { series: uncached }), [{ key: 'fresh', label: 'not cached', cls: 'bar-tokens', color: 'var(--tools)' }, { key: 'cache_read_tokens', label: 'cached', cls: 'bar-cached', color: '#1d6b46' }], 'bar', count) +
    chart('Errors', o, [{ key: 'errors', label: 'errors', cls: 'bar-errors' }], 'bar', count) +
    chart('Session duration', o, [{ key: 'duration_p50_ms', label: 'p50', cls: 'line-p50', color: 'var(--actions)' }, { key: 'duration_p95_ms', label: 'p95', cls: 'line-p95', color: 'var(--agents)' }], 'line', ms) + '</div>';
  html += '<div class="charts"><section class="chart" aria-label="End states"><h3>End states</h3><div class="states">' + states.map(([k, v]) => '<span class="' + esc(k) + '" style="width:' + (v / nStates * 100).toFixed(2) + '%" title="' + esc(stateName(k)) + ': ' + v + '"></span>').join('') + '</div>' +
    '<p class="legend muted" id="end-states">' + states.map(([k, v]) => '<span>' + state(k === 'running' ? null : k) + ' ' + v + '</span>').join('') + '</p></section>' +
    '<section class="chart" aria-label="Cost by model"><h3>Cost by model</h3>' + (o.cost_by_model.length ? '<table id="models"><tbody>' + o.cost_by_model.map((m) => '<tr><td class="name">' + esc(m.model) + '</td><td class="muted">' + count(m.llm_calls) + ' calls</td><td style="width:30%"><div class="meter"><span style="width:' + (m.cost / maxModel * 100).toFixed(1) + '%"></span></div></td><td><b>' + money(m.cost) + '</b></td></tr>').join('') + '</tbody></table>' : '<p class="muted">No LLM calls in this range.</p>') + '</section>' +
    '</div><div class="charts wide">' + sessionTable('Slowest sessions', o.slowest, (r) => ms(r.duration_ms)) + sessionTable('Costliest sessions', o.costliest, (r) => money(r.cost)) + '</div>';
  app.innerHTML = html;
  for (const b of app.querySelectorAll('button[data-range]')) b.onclick = () => go('/?range=' + b.dataset.range);
  submitsTo(document.getElementById('ranges'), '/');
  rowsOpenSessions();
}

async function listPage() {
  const params = new URLSearchParams(location.search);
  const q = new URLSearchParams({ limit: '25', offset: params.get('offset') || '0' });
  for (const f of ['tag', 'end_state', 'environment', 'user_id', 'release', 'id']) if (params.get(f)) q.set(f, params.get(f));
  putRange(params, q);
  const page = await api('/v2/sessions?' + q);
  const opt = (v, l) => '<option value="' + v + '"' + (params.get('end_state') === v ? ' selected' : '') + '>' + l + '</option>';
  let html = '<h2>Sessions <span class="muted">(' + page.total + ')</span></h2><form class="filters" id="filters">' +
    '<label>Session id <input name="id" placeholder="starts with" value="' + esc(params.get('id') || '') + '"></label>' +
    '<label>Tag <input name="tag" value="' + esc(params.get('tag') || '') + '"></label>' +
    '<label>Environment <input name="environment" value="' + esc(params.get('environment') || '') + '"></label>' +
    '<label>User <input name="user_id" value="' + esc(params.get('user_id') || '') + '"></label>' +
    '<label>Release <input name="release" value="' + esc(params.get('release') || '') + '"></label>' +
    '<label>End state <select name="end_state">' + opt('', 'Any') + opt('Success', 'Success') + opt('Fail', 'Failure') + opt('Indeterminate', 'Indeterminate') + opt('running', 'Running') + '</select></label>' +
    '<label>From <input type="datetime-local" name="from" value="' + esc(params.get('from') || '') + '"></label>' +
    '<label>To <input type="datetime-local" name="to" value="' + esc(params.get('to') || '') + '"></label><button>Filter</button></form>';
  html += '<div class="scroll-x"><table><thead><tr><th>Session</th><th>Started</th><th>Duration</th><th>End state</th><th>Environment</th><th>User</th><th>Tags</th><th>Agents</th><th>LLM calls</th><th>Tools</th><th>Actions</th><th>Errors</th><th>Tokens</th><th>Cost</th></tr></thead><tbody>';
  for (const s of page.sessions) {
    html += '<tr class="row" tabindex="0" data-id="' + esc(s.session_id) + '"><td><code title="' + esc(s.session_id) + '">' + esc(s.session_id.slice(0, 8)) + '</code> <button class="copy" type="button" data-copy="' + esc(s.session_id) + '" aria-label="Copy session id" title="Copy session id">copy</button></td><td>' + esc(fmtTime(s.init_timestamp)) + '</td><td>' + esc(s.stats.duration) + '</td><td>' + state(s.end_state) +
      '</td><td>' + esc(s.environment || '') + '</td><td>' + esc(s.user_id || '') + '</td><td>' + (s.tags || []).map((t) => '<span class="tag">' + esc(t) + '</span>').join('') + '</td><td>' + s.stats.agents + '</td><td>' + s.stats.llm_calls + '</td><td>' + s.stats.tool_calls + '</td><td>' + s.stats.actions + '</td><td>' + s.stats.errors +
      '</td><td>' + (s.stats.prompt_tokens + s.stats.completion_tokens) + '</td><td>$' + esc(s.stats.cost) + '</td></tr>';
  }
  html += '</tbody></table></div>';
  const offset = Number(params.get('offset') || 0);
  html += '<p class="filters">' + (offset > 0 ? '<button data-offset="' + Math.max(0, offset - 25) + '">Newer</button>' : '') + (offset + 25 < page.total ? '<button data-offset="' + (offset + 25) + '">Older</button>' : '') + '</p>';
  app.innerHTML = html;
  submitsTo(document.getElementById('filters'), '/sessions');
  for (const b of app.querySelectorAll('button[data-offset]')) b.onclick = () => { params.set('offset', b.dataset.offset); go('/sessions?' + params); };
  for (const b of app.querySelectorAll('button.copy')) b.onclick = (e) => { e.stopPropagation(); navigator.clipboard.writeText(b.dataset.copy).then(() => { b.textContent = '✓'; }, () => {}); };
  rowsOpenSessions();
}

function messages(list) {
  if (list == null) return '';
  if (typeof list === 'string') return '<div class="msg user">' + esc(list) + '</div>';
  const arr = Array.isArray(list) ? list : [list];
  // Whatever the API accepted: a message may be null, a string, a number or an object of any shape.
  return arr.map((m) => {
    if (m === null || typeof m !== 'object') return '<div class="msg">' + esc(typeof m === 'string' ? m : JSON.stringify(m)) + '</div>';
    const role = typeof m.role === 'string' ? m.role : '';
    return '<div class="msg ' + esc(role) + '"><b>' + esc(role) + '</b>\n' + esc(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '', null, 2)) +
      (m.tool_calls ? '\n' + esc(JSON.stringify(m.tool_calls, null, 2)) : '') + '</div>';
  }).join('');
}
const json = (v) => v === undefined || v === null ? '<span class="muted">none</span>' : '<pre>' + esc(typeof v === 'string' ? v : JSON.stringify(v, null, 2)) + '</pre>';
/** The cached and reasoning parts of an LLM call's (or a session's) tokens, when it has any. */
function tokenParts(t) {
  const parts = [[t.cache_read_tokens, 'read from the prompt cache'], [t.cache_creation_tokens, 'written to the prompt cache'], [t.reasoning_tokens, 'reasoning']]
    .filter(([n]) => n > 0).map(([n, what]) => n + ' ' + what);
  return parts.length ? '<p class="muted tokens-cached">' + parts.join(' · ') + '</p>' : '';
}
const KIND_WORDS = { llms: 'LLM call', tools: 'Tool call', actions: 'Action', errors: 'Error' };
function kindInWords(e) {
  if (e.type === 'actions' && e.action_kind) return e.action_kind === 'workflow' ? 'Workflow' : 'Task';
  return KIND_WORDS[e.type] || e.type;
}
/** The event an error was triggered by: its name, as a link that selects it (or its id, when it is not in this session). */
function triggeredBy(e, rows) {
  if (!e.trigger_event_id) return '';
  const i = rows.findIndex((x) => x.id === e.trigger_event_id);
  if (i < 0) return '<p class="muted">Triggered by ' + esc(KIND_WORDS[e.trigger_event_type] || 'event') + ' <code>' + esc(e.trigger_event_id) + '</code></p>';
  return '<p class="muted">Triggered by <a href="#" class="trigger" data-goto="' + i + '">' + esc(rows[i].label) + '</a></p>';
}
/** The other side of a protocol call in words: "MCP server weather 1.2.0", "A2A agent Weather Agent". */
const peerWords = (p) => (p.protocol === 'mcp' ? 'MCP server ' : 'A2A agent ') + p.name + (p.version ? ' ' + p.version : '');
/** An event's detail; rows are the session page's events, in the order of its rows. */
function detail(e, rows) {
  let h = '<h3>' + esc(e.label) + '</h3><p class="muted">' + esc(kindInWords(e)) + ' · ' + esc(e.init_timestamp) + ' · ' + Math.round(e.ms) + ' ms' + (e.origin && e.origin.host ? ' · ' + esc(e.origin.host) + ' pid ' + esc(e.origin.pid) : '') + '</p>';
  if (e.peer) h += '<p class="peer-detail">To ' + esc(peerWords(e.peer)) + '</p>';
  if (e.remote) h += '<p class="peer-detail">Recorded by ' + esc(peerWords(e.remote)) + ', in its own process</p>';
  if (e.type === 'llms') h += '<p>Model <b>' + esc(e.model) + '</b> · ' + (e.prompt_tokens ?? 0) + ' prompt / ' + (e.completion_tokens ?? 0) + ' completion tokens · $' + Number(e.cost || 0).toFixed(6) + '</p>' + tokenParts(e) + '<h4>Prompt</h4>' + messages(e.prompt) + '<h4>Completion</h4>' + messages(e.completion);
  else if (e.type === 'tools') h += '<h4>Arguments</h4>' + json(e.params) + '<h4>Result</h4>' + json(e.returns);
  else if (e.type === 'actions') h += '<h4>Params</h4>' + json(e.params) + '<h4>Returns</h4>' + json(e.returns);
  else if (e.type === 'errors') h += '<p><b>' + esc(e.error_type) + '</b> ' + esc(e.code || '') + '</p><h4>Details</h4>' + json(e.details) + '<h4>Logs</h4>' + json(e.logs) + triggeredBy(e, rows);
  if (e.evaluations.length) h += '<h4>Evaluations</h4><ul class="evaluations">' + e.evaluations.map((v) => evaluationItem(v, rows, false)).join('') + '</ul>';
  return h;
}
/** Bytes in words: 17179869184 is "16.0 GB". */
const fmtBytes = (n) => { const u = ['B', 'KB', 'MB', 'GB', 'TB']; let i = 0; let v = n; while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; } return (i === 0 ? String(v) : v.toFixed(1)) + ' ' + u[i]; };
/** The session's host environment, a group per heading (OS, CPU, RAM, ...), sizes in GB; anything else as JSON. */
function hostPane(env) {
  return Object.entries(env).map(([group, values]) => {
    if (values === null || typeof values !== 'object') return '<dl class="host"><dt>' + esc(group) + '</dt><dd>' + esc(values) + '</dd></dl>';
    const bytes = group === 'RAM' || group === 'Disk';
    return '<p class="muted" style="margin:.4rem 0 0"><b>' + esc(group) + '</b></p><dl class="host">' + Object.entries(values).map(([k, v]) =>
      '<dt>' + esc(k) + '</dt><dd>' + esc(bytes && typeof v === 'number' ? fmtBytes(v) : typeof v === 'object' ? JSON.stringify(v) : v) + '</dd>').join('') + '</dl>';
  }).join('');
}
const fmtScore = (n) => Number.isInteger(n) ? String(n) : String(Number(n.toFixed(3)));
/** One evaluation: its name, score, label and why; in the session's list, also what it judged (a link that selects it). */
function evaluationItem(v, rows, withTarget) {
  const i = withTarget && v.target ? rows.indexOf(v.target) : -1;
  const of = !withTarget ? '' : i >= 0 ? ' <span class="muted">of</span> <a href="#" class="trigger" data-goto="' + i + '">' + esc(rows[i].label) + '</a>'
    : ' <span class="muted">of ' + (v.event_id ? 'event <code>' + esc(v.event_id) + '</code>' : 'the session') + '</span>';
  return '<li class="evaluation"><b>' + esc(v.name) + '</b>' + of + ' ' + (v.score != null ? '<span class="score">' + esc(fmtScore(v.score)) + '</span> ' : '') +
    (v.label ? '<span class="tag">' + esc(v.label) + '</span>' : '') + (v.explanation ? '<br><span class="muted">' + esc(v.explanation) + '</span>' : '') + '</li>';
}
/** A session's evaluations: per name how many, their mean score and labels; then each, with what it judged. */
function evaluationsSection(st, evals, rows) {
  if (!evals.length) return '';
  const summary = (st.evaluation_scores || []).map((x) => '<tr><td><b>' + esc(x.name) + '</b></td><td>' + x.count + '</td><td>' + (x.mean_score == null ? '<span class="muted">no score</span>' : '<span class="score">' + esc(fmtScore(x.mean_score)) + '</span>') + '</td><td>' +
    Object.entries(x.labels).map(([l, n]) => '<span class="tag">' + esc(l) + ' ' + n + '</span>').join('') + '</td></tr>').join('');
  return '<section aria-label="Evaluations"><h3>Evaluations</h3><table class="eval-summary"><thead><tr><th>Name</th><th>Count</th><th>Mean score</th><th>Labels</th></tr></thead><tbody>' + summary + '</tbody></table>' +
    '<ul class="evaluations">' + evals.map((v) => evaluationItem(v, rows, true)).join('') + '</ul></section>';
}

let refresh;
async function sessionPage(id) {
  const data = await api('/v2/sessions/' + encodeURIComponent(id) + '/export');
  const s = data.session, st = data.stats;
  const all = [...data.llms, ...data.tools, ...data.actions, ...data.errors].map((e) => ({ ...e, type: e.event_type,
    label: e.event_type === 'llms' ? 'LLM ' + (e.model || '') : e.event_type === 'tools' ? 'Tool ' + e.name : e.event_type === 'actions' ? (e.action_kind === 'workflow' ? 'Workflow ' : e.action_kind === 'task' ? 'Task ' : 'Action ') + e.action_type : (e.error_type || 'Error') }));
  const bySpan = new Map(all.filter((e) => e.span_id).map((e) => [e.span_id, e]));
  // What each evaluation judged: the event it names, else the one whose span is its parent, else the session.
  const byId = new Map(all.map((e) => [e.id, e]));
  const evals = data.evaluations || [];
  for (const e of all) e.evaluations = [];
  for (const v of evals) { v.target = byId.get(v.event_id) || bySpan.get(v.parent_span_id); if (v.target) v.target.evaluations.push(v); }
  const agents = new Map(data.agents.map((a) => [a.id, a.name]));
  const t0 = Date.parse(s.init_timestamp);
  const tEnd = Math.max(s.end_timestamp ? Date.parse(s.end_timestamp) : Date.now(), ...all.map((e) => Date.parse(e.end_timestamp)));
  const span = Math.max(1, tEnd - t0);
  for (const e of all) { e.start = Date.parse(e.init_timestamp); e.ms = Date.parse(e.end_timestamp) - e.start; }
  // Nest by parent span, and group under agents.
  const depth = (e) => { let d = 0, p = e; while (p && p.parent_span_id && bySpan.get(p.parent_span_id) && d < 20) { p = bySpan.get(p.parent_span_id); d++; } return d; };
  const groups = new Map();
  // An event's agent: its own agent_id, else the agent whose span it is nested under (at any depth).
  const agentBySpan = new Map(data.agents.filter((a) => a.span_id).map((a) => [a.span_id, a.id]));
  const agentOf = (e) => { for (let p = e, d = 0; p && d < 50; d++) { if (p.agent_id) return p.agent_id; const a = agentBySpan.get(p.parent_span_id); if (a) return a; p = bySpan.get(p.parent_span_id); } return ''; };
  // Started in the same millisecond: the enclosing span first.
  for (const e of all.sort((a, b) => a.start - b.start || depth(a) - depth(b))) { const key = agentOf(e); if (!groups.has(key)) groups.set(key, []); groups.get(key).push(e); }
  // The processes that recorded the session, in the order they started recording: with several
  // (an MCP server, a remote agent, a service called with traceparent), each row says whose it is.
  const procOf = (e) => e.origin && e.origin.host ? e.origin.host + ':' + e.origin.pid : '';
  const hosts = [...new Set([...all].sort((a, b) => a.start - b.start).map(procOf).filter(Boolean))];
  // The MCP server or remote agent whose process recorded an event: the other side named by the
  // nearest call above it that crossed to another process (the caller knows who it called).
  // (An agent's span stands between: a remote agent's work is under its agent, the agent under the call.)
  const agentParent = new Map(data.agents.filter((a) => a.span_id).map((a) => [a.span_id, a.parent_span_id]));
  const remoteOf = (e) => {
    for (let id = e.parent_span_id, d = 0; id && d < 50; d++) {
      const p = bySpan.get(id);
      if (p && p.peer && procOf(p) !== procOf(e)) return p.peer;
      id = p ? p.parent_span_id : agentParent.get(id);
    }
    return undefined;
  };
  for (const e of all) e.remote = remoteOf(e);
  const procBadge = (e) => hosts.length > 1 && procOf(e) ? '<span class="tag proc" title="Process ' + esc(e.origin.host) + ' pid ' + esc(e.origin.pid) + (e.remote ? ' · ' + esc(peerWords(e.remote)) : '') + '">P' + (hosts.indexOf(procOf(e)) + 1) + (e.remote ? ' · ' + esc(e.remote.name) : '') + '</span>' : '';
  const peerTag = (e) => e.peer && e.peer.protocol === 'mcp' ? '<span class="tag peer" title="' + esc(peerWords(e.peer)) + '">MCP ' + esc(e.peer.name) + '</span>' : '';
  // The call an agent was invoked by, when it is an event of the session (a remote agent's caller's call).
  const agentCaller = new Map(data.agents.filter((a) => a.parent_span_id).map((a) => [a.id, bySpan.get(a.parent_span_id)]));
  const who = [['Environment', s.environment], ['User', s.user_id], ['Release', s.release]].filter(([, v]) => v);
  let html = '<p><a href="/sessions" style="color:var(--muted)">← Sessions</a></p><h2 style="margin:.2rem 0">Session <code>' + esc(s.session_id) + '</code> ' + state(s.end_state) + '</h2>' +
    (s.end_state_reason ? '<p class="muted">' + esc(s.end_state_reason) + '</p>' : '') + '<p>' + (s.tags || []).map((t) => '<span class="tag">' + esc(t) + '</span>').join('') + '</p>' +
    (who.length ? '<p class="muted session-context">' + who.map(([k, v]) => esc(k) + ' <b>' + esc(v) + '</b>').join(' · ') + '</p>' : '') +
    '<div class="cards"><div class="card"><span class="muted">Duration</span><b>' + esc(st.duration) + '</b></div><div class="card"><span class="muted">Cost</span><b>$' + esc(st.cost) + '</b></div>' +
    '<div class="card"><span class="muted">LLM calls</span><b>' + st.llm_calls + '</b></div><div class="card"><span class="muted">Tools</span><b>' + st.tool_calls + '</b></div>' +
    '<div class="card"><span class="muted">Actions</span><b>' + st.actions + '</b></div><div class="card"><span class="muted">Errors</span><b>' + st.errors + '</b></div>' +
    '<div class="card"><span class="muted">Tokens</span><b>' + (st.prompt_tokens + st.completion_tokens) + '</b>' + (st.cache_read_tokens > 0 ? '<span class="muted cached-share">' + st.cache_read_tokens + ' cached</span>' : '') + '</div><div class="card"><span class="muted">Processes</span><b>' + Math.max(1, hosts.length) + '</b></div>' +
    (st.evaluations > 0 ? '<div class="card"><span class="muted">Evaluations</span><b>' + st.evaluations + '</b></div>' : '') + '</div>' +
    '<p class="legend muted"><span><i class="dot agents"></i>agent</span><span><i class="dot llms"></i>LLM</span><span><i class="dot tools"></i>tool</span><span><i class="dot actions"></i>action</span><span><i class="dot errors"></i>error</span></p>' +
    '<div class="layout"><section aria-label="Waterfall" id="wf">';
  html += '<div class="wf-row wf-axis" role="presentation"><div class="wf-label muted">Time</div>' + timeAxis(span) + '</div>';
  const bar = (cls, start, ms) => '<div class="wf-track"><div class="wf-bar ' + cls + '" style="left:' + ((start - t0) / span * 100).toFixed(3) + '%;width:' + Math.max(0.2, ms / span * 100).toFixed(3) + '%"></div></div>';
  let i = 0;
  for (const [agentId, events] of groups) {
    if (agentId) {
      const a0 = Math.min(...events.map((e) => e.start)), a1 = Math.max(...events.map((e) => e.start + e.ms));
      const caller = agentCaller.get(agentId);
      html += '<div class="wf-row" role="presentation"><div class="wf-label" title="Agent ' + esc(agents.get(agentId) || agentId) + '"><b>Agent ' + esc(agents.get(agentId) || agentId.slice(0, 8)) + '</b>' +
        (caller ? ' <span class="muted agent-caller">← ' + esc(caller.label) + '</span>' : '') + procBadge(events[0]) + '</div>' + bar('agents', a0, a1 - a0) + '</div>';
    }
    for (const e of events) {
      const indent = (agentId ? 1 : 0) + depth(e);
      html += '<div class="wf-row" tabindex="0" role="button" data-i="' + (i++) + '" data-type="' + esc(e.type) + '"><div class="wf-label" title="' + esc(e.label) + '" style="padding-left:' + indent + 'rem">' + (e.type === 'errors' ? '⚠ ' : '') + esc(e.label) +
        ' <span class="muted">' + Math.round(e.ms) + ' ms</span>' + peerTag(e) + procBadge(e) + (e.evaluations.length ? '<span class="tag eval-badge" title="' + e.evaluations.length + ' evaluations">✓ ' + e.evaluations.length + '</span>' : '') + '</div>' + bar(e.type, e.start, e.ms) + '</div>';
    }
  }
  const ordered = [...groups.values()].flat();
  html += '</section><aside class="detail" id="detail" aria-live="polite"><p class="muted">Select an event to see its details.</p>' +
    (s.host_env ? '<h4>Host</h4>' + hostPane(s.host_env) : '') + '</aside></div>';
  html += evaluationsSection(st, evals, ordered);
  const logs = data.logs || [];
  if (logs.length) html += '<section aria-label="Captured logs"><h3>Captured logs</h3>' + logs.map((l) => '<p class="muted">' + esc(fmtTime(l.uploaded_at)) + ' · ' + l.size + ' bytes</p><pre class="log" data-log="' + esc(l.id) + '">…</pre>').join('') + '</section>';
  app.innerHTML = html;
  for (const pre of app.querySelectorAll('pre[data-log]')) {
    apiText('/v4/uploads/' + encodeURIComponent(pre.dataset.log)).then(
      (text) => { pre.textContent = text.length > LOG_SHOWN ? text.slice(0, LOG_SHOWN) + '\n… (' + (text.length - LOG_SHOWN) + ' more characters)' : text; },
      (err) => { pre.textContent = 'Could not load: ' + err.message; });
  }
  const select = (row) => {
    for (const r of app.querySelectorAll('.wf-row.selected')) r.classList.remove('selected');
    row.classList.add('selected');
    const pane = document.getElementById('detail');
    pane.innerHTML = detail(ordered[Number(row.dataset.i)], ordered);
    linksToEvents(pane);
  };
  // Links to an event of the page (a trigger, what an evaluation judged) select it.
  const linksToEvents = (root) => {
    for (const a of root.querySelectorAll('a.trigger')) a.onclick = (ev) => { ev.preventDefault(); const to = app.querySelector('.wf-row[data-i="' + a.dataset.goto + '"]'); if (to) { select(to); to.focus(); } };
  };
  linksToEvents(app);
  for (const row of app.querySelectorAll('.wf-row[data-i]')) {
    row.onclick = () => select(row); row.onkeydown = (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(row); } };
  }
  if (!s.end_state) refresh = setTimeout(() => location.pathname === '/sessions/' + id && sessionPage(id).catch(() => {}), 3000);
}

/** A duration as the axis labels it: 0, 250 ms, 1.5 s, 2 min 30 s. */
function axisLabel(ms) {
  if (ms === 0) return '0';
  if (ms < 1000) return ms + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(ms % 1000 ? 1 : 0).replace(/\.0$/, '') + ' s';
  const m = Math.floor(ms / 60000), sec = Math.round((ms % 60000) / 1000);
  return m + ' min' + (sec ? ' ' + sec + ' s' : '');
}
/** The waterfall's time axis: ticks at the round step (1, 2 or 5 times a power of ten, 1 ms at least) that gives nearest five across. */
function timeAxis(span) {
  const pow = Math.pow(10, Math.floor(Math.log10(span / 5)));
  // Never finer than a millisecond, the timestamps' own resolution: a 1 ms session has ticks 0 and 1 ms.
  const step = Math.max(1, [1, 2, 5, 10].map((k) => k * pow).reduce((best, st) => Math.abs(span / st - 5) < Math.abs(span / best - 5) ? st : best));
  let html = '<div class="wf-track wf-ticks" aria-label="Time since the session started">';
  // The last round tick keeps clear of the end's label; on a narrow screen every other one is hidden.
  for (let t = 0, n = 0; t <= span * 0.8; t += step, n++) html += '<span class="wf-tick' + (n % 2 ? ' odd' : '') + '" style="left:' + (t / span * 100).toFixed(3) + '%">' + axisLabel(Math.round(t)) + '</span>';
  return html + '<span class="wf-tick end" style="left:100%">' + axisLabel(Math.round(span)) + '</span></div>';
}

function go(url) { history.pushState(null, '', url); route(); }
window.onpopstate = route;
async function route() {
  clearTimeout(refresh);
  // Hidden, not removed: the header keeps its size between the key prompt and the app.
  document.getElementById('logout').style.visibility = localStorage.getItem(KEY) ? 'visible' : 'hidden';
  if (!localStorage.getItem(KEY)) return askKey();
  try {
    const m = location.pathname.match(/^\/sessions\/([0-9a-fA-F-]{36})$/);
    for (const [id, on] of [['nav-overview', location.pathname === '/'], ['nav-sessions', location.pathname.startsWith('/sessions')]]) document.getElementById(id).classList.toggle('current', on);
    if (m) await sessionPage(m[1]); else if (location.pathname === '/sessions') await listPage(); else await overviewPage();
  } catch (err) { if (err.message !== 'unauthorized') app.innerHTML = '<p role="alert">Could not load: ' + esc(err.message) + '. <a href="/sessions" id="back">Back to the sessions</a></p>'; }
}
route();
`;
