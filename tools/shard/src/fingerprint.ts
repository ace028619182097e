/** What makes two shards the same: their member list (path, kind, size, mtime, link target) and the write settings. */
import { createHash } from 'node:crypto'
import type { MemberRow } from './member.js'

/** Bump when the archive bytes for the same members would change (header layout, ordering …). */
export const FORMAT = 'clara-shard/1'

/**
 * A name or link target that is not UTF-8 adds its exact bytes (`path_b64`, `target_b64`) to its
 * line, so two members that differ only in such bytes never fingerprint alike; other lines are as
 * they always were.
 */
export function fingerprint(rows: Pick<MemberRow, 'path' | 'path_b64' | 'kind' | 'size' | 'mtime' | 'target' | 'target_b64'>[], settings: string): string {
  const h = createHash('sha256').update(`${FORMAT}\n${settings}\n`)
  let text = ''
  for (const r of rows) {
    const bytes = r.path_b64 !== undefined || r.target_b64 !== undefined ? `\0b64:${r.path_b64 ?? ''}\0b64:${r.target_b64 ?? ''}` : ''
    text += `${r.path}\0${r.kind}\0${r.size}\0${r.mtime}\0${r.target ?? ''}${bytes}\n`
    if (text.length > 1 << 16) {
      h.update(text)
      text = ''
    }
  }
  h.update(text)
  return h.digest('hex')
}
