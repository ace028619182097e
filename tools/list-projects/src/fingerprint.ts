/** sha256 of canonical JSON (sorted keys, no spaces): equal rows give equal hashes on every engine. */
import { createHash } from 'node:crypto'
import { sortKeys } from '@clara/shared/canonical'

export function canonicalSha256(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(sortKeys(v))).digest('hex')
}
