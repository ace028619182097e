/**
 * Names as bytes: file names that fit (a name over the byte budget keeps a readable prefix plus a hash
 * of the whole), ids and readable forms of names that are not UTF-8, and the bytes behind a record's
 * `<field>` / `<field>_b64` pair.
 */
import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'

/** NAME_MAX on Linux file systems is 255 bytes; leave room for temp-name decorations. */
export const NAME_BUDGET = 200

/**
 * `name` itself when it fits in `maxBytes` (UTF-8), else its longest prefix that leaves room for
 * `~` + 16 hex digits of its sha256, cut on a character boundary. Distinct names stay distinct.
 */
export function fitName(name: string, maxBytes = NAME_BUDGET): string {
  if (Buffer.byteLength(name) <= maxBytes) return name
  const tag = '~' + createHash('sha256').update(name).digest('hex').slice(0, 16)
  let prefix = ''
  for (const ch of name) {
    if (Buffer.byteLength(prefix + ch) + tag.length > maxBytes) break
    prefix += ch
  }
  return prefix + tag
}

/**
 * A readable, unique id for a name that is not valid UTF-8: its text with `_` for each bad
 * sequence, `~`, and 16 hex digits of the sha256 of its bytes (names that differ only in those
 * bytes stay apart), fitted like fitName. `prefix` goes in front (e.g. `orphan-`).
 */
export function byteNameId(bytes: Buffer, prefix = ''): string {
  const tag = createHash('sha256').update(bytes).digest('hex').slice(0, 16)
  return fitName(`${prefix}${bytes.toString().replace(/\uFFFD/g, '_')}~${tag}`)
}

/**
 * A name (or path) for messages: its text when its bytes are UTF-8, else its byteNameId, so two
 * names that differ only in bytes that are not UTF-8 never read the same.
 */
export function readableName(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : byteNameId(bytes)
}

/** The exact bytes of a name recorded as text plus, when it is not UTF-8, `<field>_b64`. */
export function fieldBytes(text: string | undefined, b64: unknown): Buffer {
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64') : Buffer.from(text ?? '')
}
