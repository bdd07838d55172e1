/** The settings page (`/settings`): the project's retention policy, with what it would remove now. */
import {
  type AlertBody,
  type AlertCondition,
  type AlertRecord,
  type AlertRule,
  GROUPS,
  shown,
  WINDOWS,
} from '../../alerts/rules.js';
import type { RetentionPolicy, RetentionPreview } from '../../retention/policy.js';
import { api, apiSend, app, byId, esc } from './dom.js';
import { count, fmtTime } from './format.js';

interface RetentionState {
  policy: RetentionPolicy | null;
  preview: RetentionPreview | null;
}

const KINDS: [keyof RetentionPolicy['keep_days'], string][] = [
  ['Success', 'Success'],
  ['Fail', 'Failure'],
  ['Indeterminate', 'Indeterminate'],
  ['unended', 'Never ended'],
];
const MB = 1_000_000;

const fmtBytesShort = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= MB ? `${(n / MB).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;

/** What the policy would remove now, in words. */
function previewText(s: RetentionState): string {
  const p = s.preview;
  if (!s.policy || !p) return 'No policy: every session and payload is kept.';
  const expired = Object.values(p.expired_sessions).reduce((a, n) => a + n, 0);
  const parts = [
    expired === 0
      ? 'No session is past its time.'
      : `${count(expired)} sessions past their time (${count(p.expired_events)} events) go at the next pass.`,
  ];
  if (p.payload_budget === null) parts.push(`Payloads stored: ${fmtBytesShort(p.payload_bytes)}, no budget.`);
  else if (p.payload_sessions === 0)
    parts.push(
      `Payloads stored: ${fmtBytesShort(p.payload_bytes)} of ${fmtBytesShort(p.payload_budget)}: within the budget.`,
    );
  else
    parts.push(
      `Payloads stored: ${fmtBytesShort(p.payload_bytes)} of ${fmtBytesShort(p.payload_budget)}: the ${count(p.payload_sessions)} oldest ended sessions keep only their metadata and totals.`,
    );
  return parts.join(' ');
}

/** A rule's condition in words. */
function conditionText(c: AlertCondition): string {
  switch (c.kind) {
    case 'spend':
      return `spend ${c.group_by === 'project' ? 'of the project' : `per ${c.group_by}`} over ${c.window} above $${c.threshold}`;
    case 'session_cost':
      return `a session costing more than $${c.threshold}`;
    case 'failure_rate':
      return `more than ${(c.threshold * 100).toFixed(1)}% of the sessions of the last ${c.minutes} min failed`;
    case 'p95_duration':
      return `p95 duration of the sessions of the last ${c.minutes} min above ${c.threshold} ms`;
  }
}

function subjectText(a: AlertBody): string {
  if ('session_id' in a.subject) return `session ${a.subject.session_id.slice(0, 8)}`;
  return a.subject.group_by === 'project' ? 'the project' : `${a.subject.group_by} ${a.subject.key}`;
}

/** What the form's limit is in, by the kind of rule; the API's unit is the form's times `toApi`. */
const LIMITS: Record<AlertCondition['kind'], { unit: string; toApi: number }> = {
  spend: { unit: '$', toApi: 1 },
  session_cost: { unit: '$', toApi: 1 },
  failure_rate: { unit: '%', toApi: 0.01 },
  p95_duration: { unit: 's', toApi: 1000 },
};

/** The form that makes a rule: the fields a kind of rule has are shown with it. */
function ruleForm(): string {
  const options = (values: readonly string[], chosen: string) =>
    values.map((v) => `<option value="${esc(v)}"${v === chosen ? ' selected' : ''}>${esc(v)}</option>`).join('');
  return `<form id="alert-new" class="settings"><h4>New rule</h4><div class="filters"><label for="rule-name">Name <input id="rule-name" name="name" required maxlength="200" placeholder="daily spend per user"></label><label for="rule-kind">When <select id="rule-kind" name="kind"><option value="spend">spend over a window</option><option value="session_cost">a session costs more than</option><option value="failure_rate">failure rate</option><option value="p95_duration">p95 session duration</option></select></label><label for="rule-threshold"><span>Limit (<span id="rule-unit">$</span>)</span> <input id="rule-threshold" name="threshold" type="number" min="0" step="any" inputmode="decimal" required></label><label for="rule-group" data-for="spend">Per <select id="rule-group" name="group_by">${options(GROUPS, 'user')}</select></label><label for="rule-window" data-for="spend">Over <select id="rule-window" name="window">${options(Object.keys(WINDOWS), '24h')}</select></label><label for="rule-minutes" data-for="failure_rate p95_duration">Last minutes <input id="rule-minutes" name="minutes" type="number" min="1" max="10080" step="1" value="60"></label><label for="rule-min" data-for="failure_rate p95_duration">At least sessions <input id="rule-min" name="min_sessions" type="number" min="1" step="1" value="5"></label></div><div class="filters"><label for="rule-url">Webhook URL <input id="rule-url" name="url" type="url" required placeholder="https://hooks.slack.com/services/..."></label><label for="rule-format">Body <select id="rule-format" name="format"><option value="json">JSON</option><option value="slack">Slack</option></select></label></div><p class="filters"><button id="rule-save">Add rule</button></p><p id="rule-status" role="status"></p></form>`;
}

/** The rule the form describes, in the API's units. */
function ruleOf(form: HTMLFormElement): unknown {
  const f = new FormData(form);
  const text = (k: string) => String(f.get(k) ?? '').trim();
  const kind = text('kind') as AlertCondition['kind'];
  const threshold = Number(text('threshold')) * LIMITS[kind].toApi;
  const window = { minutes: Number(text('minutes')), min_sessions: Number(text('min_sessions')) };
  const condition =
    kind === 'spend'
      ? { kind, threshold, group_by: text('group_by'), window: text('window') }
      : kind === 'session_cost'
        ? { kind, threshold }
        : { kind, threshold, ...window };
  return { name: text('name'), condition, webhook: { url: text('url'), format: text('format') } };
}

/** The section of alerts: the form, once, and the rules and alerts below it, drawn again after each change. */
function drawAlertSection(): void {
  const section = byId('alerts');
  section.innerHTML = `<h3>Alerts</h3><p class="muted">Each rule fires its webhook once per window while over its limit, signed with its secret (<code>X-Agentops-Signature</code>).</p>${ruleForm()}<div id="alert-list"></div>`;
  const form = byId<HTMLFormElement>('alert-new');
  const kind = byId<HTMLSelectElement>('rule-kind');
  const shownFields = () => {
    for (const label of form.querySelectorAll<HTMLElement>('label[data-for]')) {
      label.hidden = !(label.dataset.for ?? '').split(' ').includes(kind.value);
    }
    byId('rule-unit').textContent = LIMITS[kind.value as AlertCondition['kind']].unit;
  };
  kind.onchange = shownFields;
  shownFields();
  form.onsubmit = async (e) => {
    e.preventDefault();
    const status = byId('rule-status');
    try {
      const made = await apiSend<{ rule: AlertRule; secret: string }>('POST', '/v2/alerts/rules', ruleOf(form));
      form.reset();
      shownFields();
      status.innerHTML = `Added “${esc(made.rule.name)}”. Its signing secret, shown this once: <code id="rule-secret">${esc(made.secret)}</code>`;
      await drawAlerts();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== 'unauthorized') status.textContent = `Not added: ${message}`;
    }
  };
  void drawAlerts().catch(() => {});
}

/** The project's alert rules (each deletable) and its latest alerts with their deliveries. */
async function drawAlerts(): Promise<void> {
  const [{ rules }, { alerts }] = await Promise.all([
    api<{ rules: AlertRule[] }>('/v2/alerts/rules'),
    api<{ alerts: AlertRecord[] }>('/v2/alerts?limit=50'),
  ]);
  let html = '<h4>Rules</h4>';
  html += rules.length
    ? `<div class="scroll-x"><table id="alert-rules"><thead><tr><th>Rule</th><th>When</th><th>Webhook</th><th></th></tr></thead><tbody>${rules
        .map(
          (r) =>
            `<tr><td>${esc(r.name)}</td><td>${esc(conditionText(r.condition))}</td><td>${esc(new URL(r.webhook.url).host)} (${esc(r.webhook.format)})</td><td><button type="button" data-rule="${esc(r.id)}">Delete</button></td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p id="alert-rules">No alert rule.</p>';
  html += '<h4>Latest alerts</h4>';
  html += alerts.length
    ? `<div class="scroll-x"><table id="alert-history"><thead><tr><th>Fired</th><th>Rule</th><th>What</th><th>Value</th><th>Limit</th><th>Delivery</th></tr></thead><tbody>${alerts
        .map(
          (r) =>
            `<tr><td>${esc(fmtTime(r.alert.fired_at))}</td><td>${esc(r.alert.rule.name)}</td><td>${esc(subjectText(r.alert))}</td><td>${esc(shown(r.alert, r.alert.value))}</td><td>${esc(shown(r.alert, r.alert.threshold))}</td><td title="${esc(r.last_error ?? '')}">${esc(r.status)}${r.attempts > 1 ? ` (${r.attempts} attempts)` : ''}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '<p id="alert-history">No alert fired yet.</p>';
  const list = byId('alert-list');
  list.innerHTML = html;
  for (const button of list.querySelectorAll<HTMLButtonElement>('button[data-rule]')) {
    button.onclick = async () => {
      await apiSend('DELETE', `/v2/alerts/rules/${encodeURIComponent(button.dataset.rule ?? '')}`);
      await drawAlerts();
    };
  }
}

function draw(s: RetentionState, message = ''): void {
  const days = (k: keyof RetentionPolicy['keep_days']) => s.policy?.keep_days[k] ?? '';
  const budget = s.policy?.payload_bytes;
  app.innerHTML = `<h2>Settings</h2><form id="retention" class="settings"><h3>Retention</h3><p class="muted">How long this project keeps its sessions after they end (a kind left empty is kept), and how much of their payloads (prompts, completions, tool arguments and results). The server applies it every minute.</p><div class="filters">${KINDS.map(
    ([k, label]) =>
      `<label for="keep-${k}">${esc(label)} <input id="keep-${k}" name="${k}" type="number" min="0.01" step="any" inputmode="decimal" placeholder="kept" value="${esc(days(k))}"> days</label>`,
  ).join(
    '',
  )}<label for="payload-mb">Payload budget <input id="payload-mb" name="payload" type="number" min="0" step="any" inputmode="decimal" placeholder="none" value="${budget === undefined ? '' : esc(budget / MB)}"> MB</label></div><p class="filters"><button id="retention-save">Save</button> <button type="button" id="retention-clear">Keep everything</button></p><p id="retention-preview" role="status">${esc(message || previewText(s))}</p></form><section id="alerts"></section>`;
  drawAlertSection();
  const form = byId<HTMLFormElement>('retention');
  form.onsubmit = async (e) => {
    e.preventDefault();
    const keep_days: Record<string, number> = {};
    for (const [k] of KINDS) {
      const v = byId<HTMLInputElement>(`keep-${k}`).value.trim();
      if (v) keep_days[k] = Number(v);
    }
    const mb = byId<HTMLInputElement>('payload-mb').value.trim();
    const policy = { keep_days, ...(mb ? { payload_bytes: Math.round(Number(mb) * MB) } : {}) };
    await save(() => apiSend<RetentionState>('PUT', '/v2/retention', policy), 'Saved.');
  };
  byId('retention-clear').onclick = () => save(() => apiSend<RetentionState>('DELETE', '/v2/retention'), 'Removed.');
}

/** Saves, then draws what the server keeps now; a refusal is said where the preview is, the form kept. */
async function save(send: () => Promise<RetentionState>, done: string): Promise<void> {
  try {
    const s = await send();
    draw(s, `${done} ${previewText(s)}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message !== 'unauthorized') byId('retention-preview').textContent = `Not saved: ${message}`;
  }
}

export async function settingsPage(): Promise<void> {
  draw(await api<RetentionState>('/v2/retention'));
}
