/**
 * The words search indexes: plain ASCII takes a shorter way (no accents to remove, no letters
 * beyond a-z), which must give the very words the Unicode way gives; a batch's documents hold each
 * word of its events once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventWords, searchDocuments, searchText, wordsOf } from '../src/db/search-text.js';

describe('search words', () => {
  it('ASCII text gives the words the Unicode way gives', () => {
    // A word with an accent after it sends the whole text the Unicode way (its last word, `e`).
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 200 }), (text) => {
        expect([...wordsOf(text), 'e']).toEqual(wordsOf(`${text} é`));
      }),
    );
    expect(wordsOf('Ünïcode CAFÉ 42x ∑ naïve')).toEqual(['unicode', 'cafe', '42x', 'naive']);
    expect(wordsOf('INV-4242, user@example.com')).toEqual(['inv', '4242', 'user', 'example', 'com']);
  });

  it("an event's words are those searchText lists; a batch's document holds each word once", () => {
    const a = { prompt: [{ role: 'user', content: 'Paris paris weather' }], completion: 'Sunny in Paris' };
    const b = { name: 'lookup', params: { city: 'Lyon' }, returns: { weather: 'rain' } };
    expect(eventWords(a)).toEqual(['user', 'paris', 'paris', 'weather', 'sunny', 'in', 'paris']);
    expect(searchText(a)).toBe('user paris weather sunny in');
    expect(searchDocuments(['a', 'x', 'b'], [eventWords(a), [], eventWords(b)])).toEqual([
      { eventIds: ['a', 'b'], words: 'user paris weather sunny in lyon rain lookup' },
    ]);
  });
});
