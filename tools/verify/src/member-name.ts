/**
 * Archive member names are compared by their exact bytes: two names that differ only in bytes
 * that are not UTF-8 (`a\xff.txt`, `a\xfe.txt`) decode to the same text, so text cannot key them.
 * Messages show them with readableName (shared/src/names.ts).
 */

/** A member's key: its bytes as latin1 text (one character per byte, so distinct bytes stay distinct), without a trailing `/`. */
export function memberKey(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/\/$/, '')
}

/** A name as recorded: the bytes of `<field>_b64` when given (a name that is not UTF-8), else the UTF-8 bytes of the text. */
export function recordedBytes(text: string, b64: unknown): Buffer {
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64') : Buffer.from(text)
}
