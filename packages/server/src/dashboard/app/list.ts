/** The sessions page (`/sessions`): a page of sessions, filtered by what the URL says. */
import type { SessionRecord, SessionStats } from '@agentops/exporter';
import { api, app, esc, go, putRange, rowsOpenSessions, submitsTo } from './dom.js';
import { fmtTime, state } from './format.js';

/** A page of `GET /v2/sessions`. */
interface SessionList {
  total: number;
  sessions: (SessionRecord & { stats: SessionStats })[];
}

const PAGE = 25;
const FILTERS = ['q', 'tag', 'end_state', 'environment', 'user_id', 'release', 'id'];

export async function listPage(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const q = new URLSearchParams({ limit: String(PAGE), offset: params.get('offset') || '0' });
  for (const f of FILTERS) {
    const v = params.get(f);
    if (v) q.set(f, v);
  }
  putRange(params, q);
  const page = await api<SessionList>(`/v2/sessions?${q}`);
  const opt = (v: string, l: string) =>
    `<option value="${v}"${params.get('end_state') === v ? ' selected' : ''}>${l}</option>`;
  const input = (label: string, name: string, extra = '') =>
    `<label>${label} <input name="${name}"${extra} value="${esc(params.get(name) || '')}"></label>`;
  let html = `<h2>Sessions <span class="muted">(${page.total})</span></h2><form class="filters" id="filters">${input('Search', 'q', ' type="search" placeholder="words in prompts, results, errors, tags"')}${input('Session id', 'id', ' placeholder="starts with"')}${input('Tag', 'tag')}${input('Environment', 'environment')}${input('User', 'user_id')}${input('Release', 'release')}<label>End state <select name="end_state">${opt('', 'Any')}${opt('Success', 'Success')}${opt('Fail', 'Failure')}${opt('Indeterminate', 'Indeterminate')}${opt('running', 'Running')}</select></label><label>From <input type="datetime-local" name="from" value="${esc(params.get('from') || '')}"></label><label>To <input type="datetime-local" name="to" value="${esc(params.get('to') || '')}"></label><button>Filter</button></form>`;
  html +=
    '<div class="scroll-x"><table><thead><tr><th>Session</th><th>Started</th><th>Duration</th><th>End state</th><th>Environment</th><th>User</th><th>Tags</th><th>Agents</th><th>LLM calls</th><th>Tools</th><th>Actions</th><th>Errors</th><th>Tokens</th><th>Cost</th></tr></thead><tbody>';
  for (const s of page.sessions) {
    html += `<tr class="row" tabindex="0" data-id="${esc(s.session_id)}"><td><code title="${esc(s.session_id)}">${esc(s.session_id.slice(0, 8))}</code> <button class="copy" type="button" data-copy="${esc(s.session_id)}" aria-label="Copy session id" title="Copy session id">copy</button>${s.name ? ` <span class="session-name">${esc(s.name)}</span>` : ''}</td><td>${esc(fmtTime(s.init_timestamp))}</td><td>${esc(s.stats.duration)}</td><td>${state(s.end_state)}</td><td>${esc(s.environment || '')}</td><td>${esc(s.user_id || '')}</td><td>${(s.tags || []).map((t) => `<span class="tag">${esc(t)}</span>`).join('')}</td><td>${s.stats.agents}</td><td>${s.stats.llm_calls}</td><td>${s.stats.tool_calls}</td><td>${s.stats.actions}</td><td>${s.stats.errors}</td><td>${s.stats.prompt_tokens + s.stats.completion_tokens}</td><td>$${esc(s.stats.cost)}</td></tr>`;
  }
  html += '</tbody></table></div>';
  const offset = Number(params.get('offset') || 0);
  html += `<p class="filters">${offset > 0 ? `<button data-offset="${Math.max(0, offset - PAGE)}">Newer</button>` : ''}${offset + PAGE < page.total ? `<button data-offset="${offset + PAGE}">Older</button>` : ''}</p>`;
  app.innerHTML = html;
  submitsTo(document.getElementById('filters') as HTMLFormElement, '/sessions');
  for (const b of app.querySelectorAll<HTMLButtonElement>('button[data-offset]'))
    b.onclick = () => {
      params.set('offset', b.dataset.offset ?? '0');
      go(`/sessions?${params}`);
    };
  for (const b of app.querySelectorAll<HTMLButtonElement>('button.copy'))
    b.onclick = (e) => {
      e.stopPropagation();
      navigator.clipboard.writeText(b.dataset.copy ?? '').then(
        () => {
          b.textContent = '✓';
        },
        () => {},
      );
    };
  // A search's words go with the session opened, which marks the events that hold them.
  rowsOpenSessions(params.get('q') ? `?${new URLSearchParams({ q: params.get('q') ?? '' })}` : '');
}
