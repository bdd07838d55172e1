/** How the dashboard writes times, money, counts and durations. */
import { esc } from './dom.js';

export const fmtTime = (t: string | null | undefined): string => (t ? new Date(t).toLocaleString() : '');

/** A session's end state as a badge (none yet: running). */
export const state = (s: string | null | undefined): string =>
  s
    ? `<span class="state ${esc(s)}">${esc(s === 'Fail' ? 'Failure' : s)}</span>`
    : '<span class="state running">Running</span>';

export const money = (v: number): string => `$${v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4)}`;

export const count = (v: number): string =>
  v >= 1e6
    ? `${(v / 1e6).toFixed(1)}M`
    : v >= 1e4
      ? `${(v / 1e3).toFixed(1)}k`
      : v < 10 && v % 1
        ? v.toFixed(1)
        : String(Math.round(v));

export const shortTime = (t: string): string =>
  new Date(t).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export const ms = (v: number | null | undefined): string =>
  v === null || v === undefined
    ? '–'
    : v < 1000
      ? `${Math.round(v)} ms`
      : v < 60000
        ? `${(v / 1000).toFixed(1)} s`
        : `${(v / 60000).toFixed(1)} min`;

export function bucketLabel(start: string, bucket: string): string {
  const d = new Date(start);
  return bucket === 'hour' ? shortTime(start) : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/** A duration as the waterfall's axis labels it: 0, 250 ms, 1.5 s, 2 min 30 s. */
export function axisLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0).replace(/\.0$/, '')} s`;
  const m = Math.floor(ms / 60000);
  const sec = Math.round((ms % 60000) / 1000);
  return `${m} min${sec ? ` ${sec} s` : ''}`;
}

/** Bytes in words: 17179869184 is "16.0 GB". */
export function fmtBytes(n: number): string {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? String(v) : v.toFixed(1)} ${u[i]}`;
}

export const fmtScore = (n: number): string => (Number.isInteger(n) ? String(n) : String(Number(n.toFixed(3))));
