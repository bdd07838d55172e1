/**
 * The dashboard's script: one page app over the same authenticated API as the SDK, with a key
 * entered once and kept in the browser. `/` is the overview; `/sessions` lists sessions;
 * `/sessions/:id` shows one as a waterfall of its events, nested as their spans were; `/settings`
 * holds the project's retention policy.
 */
// The styles: bundled beside the script (dist/dashboard/main.css).
import '../styles.css';
import { app, byId, esc, KEY, routeWith, whenKeyRefused } from './dom.js';
import { listPage } from './list.js';
import { overviewPage } from './overview.js';
import { sessionPage, stopRefreshing } from './session.js';
import { settingsPage } from './settings.js';

function askKey(message?: string): void {
  app.innerHTML = `<form id="key"><h2>Project API key</h2><p class="muted">${esc(message || 'The key agentops-server printed on first start (also in .agentops/api-key).')}</p><label for="k">API key</label> <input id="k" size="40" autocomplete="off" required> <button>Open</button></form>`;
  byId<HTMLInputElement>('k').focus();
  byId<HTMLFormElement>('key').onsubmit = (e) => {
    e.preventDefault();
    localStorage.setItem(KEY, byId<HTMLInputElement>('k').value.trim());
    route();
  };
}

async function route(): Promise<void> {
  stopRefreshing();
  // Hidden, not removed: the header keeps its size between the key prompt and the app.
  byId('logout').style.visibility = localStorage.getItem(KEY) ? 'visible' : 'hidden';
  if (!localStorage.getItem(KEY)) return askKey();
  try {
    const m = location.pathname.match(/^\/sessions\/([0-9a-fA-F-]{36})$/);
    byId('nav-overview').classList.toggle('current', location.pathname === '/');
    byId('nav-sessions').classList.toggle('current', location.pathname.startsWith('/sessions'));
    byId('nav-settings').classList.toggle('current', location.pathname === '/settings');
    if (m?.[1]) await sessionPage(m[1]);
    else if (location.pathname === '/sessions') await listPage();
    else if (location.pathname === '/settings') await settingsPage();
    else await overviewPage();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message !== 'unauthorized')
      app.innerHTML = `<p role="alert">Could not load: ${esc(message)}. <a href="/sessions" id="back">Back to the sessions</a></p>`;
  }
}

whenKeyRefused(askKey);
routeWith(() => {
  route();
});
byId('logout').onclick = () => {
  localStorage.removeItem(KEY);
  askKey();
};
window.onpopstate = () => {
  route();
};
route();
