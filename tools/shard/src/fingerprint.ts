/** What makes two shards the same: their member list (path, kind, size, mtime, link target) and the write settings. */
import { createHash } from 'node:crypto'
import type { MemberRow } from './member.js'

/** Bump when the archive bytes for the same members would change (header layout, ordering …). */
export const FORMAT = 'clara-shard/1'

export function fingerprint(rows: Pick<MemberRow, 'path' | 'kind' | 'size' | 'mtime' | 'target'>[], settings: string): string {
  const h = createHash('sha256').update(`${FORMAT}\n${settings}\n`)
  let text = ''
  for (const r of rows) {
    text += `${r.path}\0${r.kind}\0${r.size}\0${r.mtime}\0${r.target ?? ''}\n`
    if (text.length > 1 << 16) {
      h.update(text)
      text = ''
    }
  }
  h.update(text)
  return h.digest('hex')
}
