/** What every page of the dashboard shares: its root, the key kept in the browser, the API, escaping. */

/** Where each page draws. */
export const app = document.getElementById('app') as HTMLElement;

/** Where the project's API key is kept in the browser. */
export const KEY = 'agentops.apiKey';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to put in HTML, an attribute's value included. */
export const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] as string);

/** The element with `id`, of the type the page made it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** Asked for when the API refuses the key: set by the router (the key prompt). */
let onRefusedKey: (message: string) => void = () => {};
export function whenKeyRefused(ask: (message: string) => void): void {
  onRefusedKey = ask;
}

const keyHeader = () => ({ 'X-Agentops-Api-Key': localStorage.getItem(KEY) || '' });

/** A JSON answer of the API, with the key; a refused key is forgotten and asked for again. */
export async function api<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: keyHeader() }));
}

/** The JSON of an answer; a refused key is forgotten and asked for again, another refusal thrown with its message. */
async function answer<T>(res: Response): Promise<T> {
  if (res.status === 401) {
    localStorage.removeItem(KEY);
    onRefusedKey('That API key was refused.');
    throw new Error('unauthorized');
  }
  if (!res.ok)
    throw new Error(((await res.json().catch(() => ({}))) as { message?: string }).message || res.statusText);
  return (await res.json()) as T;
}

/** Sends `body` (JSON) with the key by `method`; the JSON answer, or the API's message as the error. */
export async function apiSend<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { ...keyHeader(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer<T>(res);
}

/** A text answer of the API (a captured log), with the key. */
export async function apiText(path: string): Promise<string> {
  const res = await fetch(path, { headers: keyHeader() });
  if (!res.ok) throw new Error(res.statusText);
  return res.text();
}

/** Goes to a page of the dashboard: set by the router. */
let router: () => void = () => {};
export function routeWith(route: () => void): void {
  router = route;
}
export function go(url: string): void {
  history.pushState(null, '', url);
  router();
}

/** A From/To of the URL (local time, as the inputs hold it) into a query, as UTC. */
export function putRange(params: URLSearchParams, q: URLSearchParams): void {
  for (const f of ['from', 'to']) {
    const v = params.get(f);
    if (v && !Number.isNaN(Date.parse(v))) q.set(f, new Date(v).toISOString());
  }
}

/** A filter form goes to its path with its filled fields in the URL. */
export function submitsTo(form: HTMLFormElement, path: string): void {
  form.onsubmit = (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v) p.set(k, v);
    go(`${path}?${p}`);
  };
}

/** Each session row of the page opens its session, by click or Enter. */
export function rowsOpenSessions(query = ''): void {
  for (const tr of app.querySelectorAll<HTMLElement>('tr.row')) {
    const open = () => go(`/sessions/${tr.dataset.id}${query}`);
    tr.onclick = open;
    tr.onkeydown = (e) => {
      if (e.key === 'Enter') open();
    };
  }
}
