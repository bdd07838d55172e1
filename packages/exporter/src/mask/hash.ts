/** SHA-256 of a text's UTF-8 bytes, in hex: Node's own (`hash.web.ts` where there is no `node:crypto`). */
import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
