/**
 * Archive member names are compared by their exact bytes: two names that differ only in bytes
 * that are not UTF-8 (`a\xff.txt`, `a\xfe.txt`) decode to the same text, so text cannot key them.
 * Messages show them with readableName, records give them with fieldBytes (shared/src/names.ts).
 */

/** A member's key: its bytes as latin1 text (one character per byte, so distinct bytes stay distinct), without a trailing `/`. */
export function memberKey(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/\/$/, '')
}

/** The name's bytes back from its key (without a trailing `/`). */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'latin1')
}
