/**
 * Shard boundaries that stay put when files are added.
 *
 * Members are laid out oldest first (mtime, then path), so the files a cache gains — new files,
 * with new mtimes — land in the last shard or in new ones and every older shard stays the same.
 * The cut points are content-defined: a shard ends before a file whose path hash falls under
 * `size / (max/4)`, once the shard holds at least max/8; `max` is only an upper bound. A file
 * inserted in the middle (an old mtime) therefore changes the shard it lands in, and at most the
 * next one, instead of shifting every later boundary.
 */
import { hash } from 'node:crypto'
import { byteKey, type Member } from './member.js'

/** Bytes a member takes in a tar: one header block plus its content padded to 512. */
export function tarBytes(m: Member): number {
  const size = m.entry.kind === 'file' ? m.entry.size : 0
  return 512 + Math.ceil(size / 512) * 512
}

/** A uniform number in [0, 1) from the member's archive path. */
export function pathHash(m: Member): number {
  return hash('sha256', m.nameBytes, 'buffer').readUInt32BE(0) / 2 ** 32
}

/** Oldest first; ties by path bytes (latin1 strings compare like their bytes, and much faster than Buffers). */
export function byAge(members: Member[]): Member[] {
  return members
    .map((m) => ({ m, t: Math.floor(m.entry.mtimeMs), k: byteKey(m) }))
    .sort((a, b) => a.t - b.t || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.m)
}

/** Split members into shards of at most `maxBytes` tar bytes (a single larger file gets a shard of its own). */
export function planShards(members: Member[], maxBytes: number): Member[][] {
  const minBytes = maxBytes / 8
  const avgBytes = maxBytes / 4
  const shards: Member[][] = []
  let cur: Member[] = []
  let size = 0
  for (const m of byAge(members)) {
    const b = tarBytes(m)
    const forced = size > 0 && size + b > maxBytes
    const natural = size >= minBytes && pathHash(m) < b / avgBytes
    if (forced || natural) {
      shards.push(cur)
      cur = []
      size = 0
    }
    cur.push(m)
    size += b
  }
  if (cur.length) shards.push(cur)
  return shards
}
