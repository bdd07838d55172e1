/** The overview page (`/`): totals, charts per bucket, end states, cost by model, slowest and costliest sessions. */
import type { Overview, OverviewModel, OverviewPoint, OverviewSession } from '../../db/overview.js';
import { api, app, esc, go, putRange, rowsOpenSessions, submitsTo } from './dom.js';
import { bucketLabel, count, fmtTime, money, ms, shortTime, state } from './format.js';

/** Money as numbers, to draw and add (the API gives all money as decimal strings). */
type Dollars<T> = Omit<T, 'cost'> & { cost: number };
type Point = Dollars<OverviewPoint> & { fresh?: number };
type Drawn = Omit<Overview, 'totals' | 'series' | 'cost_by_model' | 'slowest' | 'costliest'> & {
  totals: Dollars<Overview['totals']>;
  series: Point[];
  cost_by_model: Dollars<OverviewModel>[];
  slowest: Dollars<OverviewSession>[];
  costliest: Dollars<OverviewSession>[];
};

/** The overview's time ranges: the last day in hours, else days; or a From/To the user picked. */
const RANGES: [string, string, number][] = [
  ['24h', 'Last 24 hours', 86400000],
  ['7d', 'Last 7 days', 7 * 86400000],
  ['30d', 'Last 30 days', 30 * 86400000],
];

/** A part of a chart: the series' field it draws, its name, its class and, when there are several, its colour. */
interface Part {
  key: keyof Point;
  label: string;
  cls: string;
  color?: string;
}

const partValue = (p: Point, part: Part): number => (p[part.key] as number | null | undefined) || 0;

/**
 * A chart of the series as SVG: bars (one or two stacked parts) or lines, a grid at half and full
 * height labelled with the value, the first and last bucket under it; each bucket's values on hover.
 */
function chart(
  title: string,
  o: Pick<Drawn, 'series' | 'bucket'>,
  parts: Part[],
  kind: 'bar' | 'line',
  fmt: (v: number) => string,
): string {
  const W = 320;
  const H = 120;
  const L = 44;
  const B = 16;
  const n = o.series.length;
  const w = (W - L) / Math.max(1, n);
  const total = (p: Point) => parts.reduce((a, part) => a + partValue(p, part), 0);
  const max =
    Math.max(
      ...o.series.map((p) => (kind === 'line' ? Math.max(...parts.map((part) => partValue(p, part))) : total(p))),
      0,
    ) || 1;
  const y = (v: number) => H - B - (v / max) * (H - B - 4);
  let svg = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)} per ${o.bucket}">`;
  for (const f of [0.5, 1])
    svg += `<line class="grid" x1="${L}" x2="${W}" y1="${y(max * f)}" y2="${y(max * f)}"></line><text class="axis" x="${L - 4}" y="${y(max * f) + 3}" text-anchor="end">${esc(fmt(max * f))}</text>`;
  o.series.forEach((p, i) => {
    const tip = `${bucketLabel(p.start, o.bucket)}: ${parts.map((part) => `${part.label} ${fmt(partValue(p, part))}`).join(', ')}`;
    if (kind === 'line') {
      svg += `<rect x="${L + i * w}" y="0" width="${w}" height="${H - B}" fill="transparent" class="hover"><title>${esc(tip)}</title></rect>`;
      return;
    }
    let base = 0;
    for (const part of parts) {
      const v = partValue(p, part);
      if (v > 0)
        svg += `<rect class="${part.cls}" data-bucket="${esc(p.start)}" x="${(L + i * w + w * 0.12).toFixed(2)}" y="${y(base + v).toFixed(2)}" width="${(w * 0.76).toFixed(2)}" height="${(y(base) - y(base + v)).toFixed(2)}"><title>${esc(tip)}</title></rect>`;
      base += v;
    }
  });
  if (kind === 'line')
    for (const part of parts) {
      const pts = o.series.map((p, i) => {
        const v = p[part.key] as number | null;
        return v === null ? null : `${(L + i * w + w / 2).toFixed(1)},${y(v).toFixed(1)}`;
      });
      let d = '';
      let pen = false;
      for (const pt of pts) {
        if (pt === null) {
          pen = false;
          continue;
        }
        d += (pen ? ' L' : ' M') + pt;
        pen = true;
      }
      if (d) svg += `<path class="${part.cls}" d="${d.trim()}"></path>`;
      // Each point a dot too: a bucket alone between empty ones (or the only one) has no line to draw.
      for (const pt of pts) {
        if (pt === null) continue;
        const [cx, cy] = pt.split(',');
        svg += `<circle class="${part.cls} pt" cx="${cx}" cy="${cy}" r="2.5"></circle>`;
      }
    }
  const first = o.series[0];
  const last = o.series[n - 1];
  if (first && last)
    svg += `<text class="axis" x="${L}" y="${H - 3}">${esc(bucketLabel(first.start, o.bucket))}</text><text class="axis" x="${W}" y="${H - 3}" text-anchor="end">${esc(bucketLabel(last.start, o.bucket))}</text>`;
  const legend =
    parts.length > 1
      ? `<p class="legend muted">${parts.map((part) => `<span><i class="dot" style="background:${part.color}"></i>${esc(part.label)}</span>`).join('')}</p>`
      : '';
  return `<section class="chart" aria-label="${esc(title)}"><h3>${esc(title)}</h3>${svg}</svg>${legend}</section>`;
}

function sessionTable(
  title: string,
  rows: Dollars<OverviewSession>[],
  value: (r: Dollars<OverviewSession>) => string,
): string {
  const body = rows.length
    ? `<table><tbody>${rows
        .map(
          (r) =>
            `<tr class="row" tabindex="0" data-id="${esc(r.session_id)}"><td><code title="${esc(r.session_id)}">${esc(r.session_id.slice(0, 8))}</code></td><td class="muted when">${esc(shortTime(r.init_timestamp))}</td><td>${state(r.end_state)}</td><td class="value"><b>${esc(value(r))}</b></td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="muted">None in this range.</p>';
  return `<section class="chart" aria-label="${esc(title)}"><h3>${esc(title)}</h3>${body}</section>`;
}

/** The overview with its money (decimal strings, as the API gives all money) as numbers, to draw and add. */
function dollars(o: Overview): Drawn {
  const each = <T extends { cost: string }>(rows: T[]) => rows.map((r) => ({ ...r, cost: Number(r.cost) }));
  return {
    ...o,
    totals: { ...o.totals, cost: Number(o.totals.cost) },
    series: each(o.series),
    cost_by_model: each(o.cost_by_model),
    slowest: each(o.slowest),
    costliest: each(o.costliest),
  };
}

export async function overviewPage(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const range = RANGES.find((r) => r[0] === params.get('range')) || (params.get('from') ? undefined : RANGES[1]);
  const q = new URLSearchParams();
  if (range) {
    const to = Date.now();
    q.set('from', new Date(to - range[2]).toISOString());
    q.set('to', new Date(to).toISOString());
    if (range[0] === '24h') q.set('bucket', 'hour');
  } else putRange(params, q);
  const o = dollars(await api<Overview>(`/v2/overview?${q}`));
  const t = o.totals;
  const order = ['Success', 'Fail', 'Indeterminate', 'running'];
  const states = Object.entries(o.end_states).sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  const nStates = states.reduce((a, [, v]) => a + v, 0);
  const stateName = (k: string) => (k === 'Fail' ? 'Failure' : k === 'running' ? 'Running' : k);
  const maxModel = Math.max(0, ...o.cost_by_model.map((m) => m.cost)) || 1;
  let html = `<h2>Overview</h2><form class="ranges" id="ranges">${RANGES.map((r) => `<button type="button" data-range="${r[0]}"${range && range[0] === r[0] ? ' class="current" aria-pressed="true"' : ' aria-pressed="false"'}>${r[1]}</button>`).join('')}<label>From <input type="datetime-local" name="from" value="${esc(range ? '' : params.get('from') || '')}"></label><label>To <input type="datetime-local" name="to" value="${esc(range ? '' : params.get('to') || '')}"></label><button>Show</button><span class="muted">${esc(fmtTime(o.from))} – ${esc(fmtTime(o.to))}, per ${o.bucket}</span></form><div class="cards" id="totals"><div class="card"><span class="muted">Sessions</span><b>${count(t.sessions)}</b></div><div class="card"><span class="muted">Cost</span><b>${money(t.cost)}</b></div><div class="card"><span class="muted">Tokens</span><b>${count(t.prompt_tokens + t.completion_tokens)}</b><span class="muted cached-share">${count(t.cache_read_tokens)} cached</span></div><div class="card"><span class="muted">LLM calls</span><b>${count(t.llm_calls)}</b></div><div class="card"><span class="muted">Errors</span><b>${count(t.errors)}</b></div><div class="card"><span class="muted">Duration p50 / p95</span><b>${ms(t.duration_p50_ms)} / ${ms(t.duration_p95_ms)}</b></div></div>`;
  if (!t.sessions) html += '<p class="muted">No sessions started in this range.</p>';
  const uncached = o.series.map((p) => ({ ...p, fresh: p.prompt_tokens - p.cache_read_tokens + p.completion_tokens }));
  html += `<div class="charts">${chart('Sessions', o, [{ key: 'sessions', label: 'sessions', cls: 'bar-sessions' }], 'bar', count)}${chart('Cost', o, [{ key: 'cost', label: 'cost', cls: 'bar-cost' }], 'bar', money)}${chart(
    'Tokens',
    { ...o, series: uncached },
    [
      { key: 'fresh', label: 'not cached', cls: 'bar-tokens', color: 'var(--tools)' },
      { key: 'cache_read_tokens', label: 'cached', cls: 'bar-cached', color: '#1d6b46' },
    ],
    'bar',
    count,
  )}${chart('Errors', o, [{ key: 'errors', label: 'errors', cls: 'bar-errors' }], 'bar', count)}${chart(
    'Session duration',
    o,
    [
      { key: 'duration_p50_ms', label: 'p50', cls: 'line-p50', color: 'var(--actions)' },
      { key: 'duration_p95_ms', label: 'p95', cls: 'line-p95', color: 'var(--agents)' },
    ],
    'line',
    ms,
  )}</div>`;
  html += `<div class="charts"><section class="chart" aria-label="End states"><h3>End states</h3><div class="states">${states.map(([k, v]) => `<span class="${esc(k)}" style="width:${((v / nStates) * 100).toFixed(2)}%" title="${esc(stateName(k))}: ${v}"></span>`).join('')}</div><p class="legend muted" id="end-states">${states.map(([k, v]) => `<span>${state(k === 'running' ? null : k)} ${v}</span>`).join('')}</p></section><section class="chart" aria-label="Cost by model"><h3>Cost by model</h3>${o.cost_by_model.length ? `<table id="models"><tbody>${o.cost_by_model.map((m) => `<tr><td class="name">${esc(m.model)}</td><td class="muted">${count(m.llm_calls)} calls</td><td style="width:30%"><div class="meter"><span style="width:${((m.cost / maxModel) * 100).toFixed(1)}%"></span></div></td><td><b>${money(m.cost)}</b></td></tr>`).join('')}</tbody></table>` : '<p class="muted">No LLM calls in this range.</p>'}</section></div><div class="charts wide">${sessionTable('Slowest sessions', o.slowest, (r) => ms(r.duration_ms))}${sessionTable('Costliest sessions', o.costliest, (r) => money(r.cost))}</div>`;
  app.innerHTML = html;
  for (const b of app.querySelectorAll<HTMLButtonElement>('button[data-range]'))
    b.onclick = () => go(`/?range=${b.dataset.range}`);
  submitsTo(document.getElementById('ranges') as HTMLFormElement, '/');
  rowsOpenSessions();
}
