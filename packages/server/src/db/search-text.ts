/**
 * What full-text search reads of an event: the words an app's agent said and was told, as stored
 * (after the server's mask, so a masked value is never indexed). Prompts, completions, tool and
 * action arguments and results, their names, errors; the string leaves of these values, not their
 * keys. Bounded per event, so one huge payload cannot bloat the index.
 */
import { PAYLOAD_REMOVED } from '../retention/payload.js';

/** Most characters of one event indexed. */
export const MAX_SEARCH_TEXT = 32 * 1024;

const FIELDS = [
  'prompt',
  'completion',
  'params',
  'returns',
  'name',
  'action_type',
  'error_type',
  'code',
  'details',
  'logs',
];

/** The words of an event (as sent, or as exported) that search finds it by, space-separated. */
export function searchText(e: object): string {
  return [...new Set(eventWords(e))].join(' ');
}

/** The words of an event that search finds it by, in order, a word as often as it comes. */
export function eventWords(e: object): string[] {
  const parts: string[] = [];
  let size = 0;
  const visit = (value: unknown, depth: number): void => {
    if (size >= MAX_SEARCH_TEXT || depth > 32) return;
    if (typeof value === 'string') {
      if (value.length === 0) return;
      parts.push(value);
      size += value.length + 1;
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      visit(String(value), depth);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, depth + 1);
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) visit(v, depth + 1);
    }
  };
  const record = e as Record<string, unknown>;
  for (const field of FIELDS) visit(record[field], 0);
  return indexedWords(parts.join('\n').slice(0, MAX_SEARCH_TEXT));
}

function indexedWords(text: string): string[] {
  const words = wordsOf(text);
  return words.every(isIndexed) ? words : words.filter(isIndexed);
}

/**
 * What the index is given for a text (an event's, a session's tags): its words, each once (a search
 * asks whether a document holds a word, never how often or where), space-separated.
 */
export function searchDocument(text: string): string {
  return [...new Set(indexedWords(text))].join(' ');
}

/** Longer runs of letters and digits are not words anyone searches for (and PostgreSQL refuses lexemes over 2 kB). */
const MAX_WORD_LENGTH = 200;
const isIndexed = (word: string): boolean => word.length <= MAX_WORD_LENGTH;

/** Most characters of words in one search document of a batch of events (PostgreSQL's tsvector holds at most 1 MB). */
const MAX_DOCUMENT_WORDS = 256 * 1024;

/** One document of the index: the words of some events of one session, each word once. */
export interface SearchDocument {
  /** The events whose words it holds, in the order they were given. */
  eventIds: string[];
  /** Space-separated. */
  words: string;
}

/**
 * The documents a batch of a session's events is indexed as: the words of many events in one
 * (a search finds sessions, so which event holds a word is the session page's to say), split
 * where a document would grow past MAX_DOCUMENT_WORDS. `words[i]` is event `eventIds[i]`'s
 * words (eventWords).
 */
export function searchDocuments(eventIds: readonly string[], words: readonly (readonly string[])[]): SearchDocument[] {
  const docs: SearchDocument[] = [];
  let ids: string[] = [];
  let held = new Set<string>();
  let size = 0;
  const close = () => {
    if (ids.length > 0) docs.push({ eventIds: ids, words: [...held].join(' ') });
    ids = [];
    held = new Set();
    size = 0;
  };
  words.forEach((list, i) => {
    if (list.length === 0) return;
    // At most what the event adds: its words as written, each once.
    let adds = 0;
    for (const word of list) adds += word.length + 1;
    if (size + adds > MAX_DOCUMENT_WORDS) close();
    ids.push(eventIds[i] as string);
    for (const word of list) {
      if (held.has(word)) continue;
      held.add(word);
      size += word.length + 1;
    }
  });
  close();
  return docs;
}

/** Any character beyond ASCII. */
const NOT_ASCII = /[\u0080-\uffff]/;
const ASCII_WORD = /[a-z0-9]+/g;

/**
 * A text's words as both stores index them, worked out here so that SQLite's tokenizer and
 * PostgreSQL's parser (which reads `INV-4242` as a word and a negative number) see the same ones:
 * runs of letters and digits, lowercased, accents removed.
 */
export function wordsOf(text: string): string[] {
  // ASCII has no accents to remove and no letters or digits beyond these (the common case, faster).
  if (!NOT_ASCII.test(text)) return text.toLowerCase().match(ASCII_WORD) ?? [];
  return (
    text
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/**
 * The words of a search: a session is found when its events and tags hold every one. Empty:
 * nothing to search for.
 */
export function searchWords(query: string): string[] {
  return [...new Set(wordsOf(query).filter(isIndexed))].slice(0, 16);
}

/** The words of a stored event's JSON; none when it cannot be read or its payload was removed. */
export function storedEventWords(data: string): string[] {
  try {
    const event = JSON.parse(data) as unknown;
    if (typeof event !== 'object' || event === null || (event as Record<string, unknown>)[PAYLOAD_REMOVED] === true)
      return [];
    return eventWords(event);
  } catch {
    return [];
  }
}
