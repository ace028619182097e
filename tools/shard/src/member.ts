/** A member of an archive: a walked tree entry and the name it gets inside the archive. */
import type { TreeEntry } from '@clara/shared/walk'

export interface Member {
  /** archive path (POSIX, UTF-8) */
  name: string
  /** the archive path as raw bytes (differs from `name` only for non-UTF-8 names) */
  nameBytes: Buffer
  entry: TreeEntry
}

/** One line of a `.members.ndjson` listing. */
export interface MemberRow {
  type: 'member'
  path: string
  path_b64?: string
  kind: 'file' | 'dir' | 'symlink'
  size: number
  mtime: string
  sha256?: string
  target?: string
}

/** The mtime as RFC3339 with milliseconds: the form used in listings and fingerprints. */
export function mtimeString(mtimeMs: number): string {
  return new Date(Math.floor(mtimeMs)).toISOString()
}

/** Key that sorts paths segment by segment (a directory before its contents, `a/x` before `a b`). */
export function pathKey(nameBytes: Buffer): Buffer {
  const k = Buffer.from(nameBytes)
  for (let i = 0; i < k.length; i++) if (k[i] === 0x2f) k[i] = 0
  return k
}

/** Sort members by archive path, segment-wise, in byte order. */
export function sortByPath(members: Member[]): Member[] {
  const keyed = members.map((m) => ({ m, k: pathKey(m.nameBytes) }))
  keyed.sort((a, b) => Buffer.compare(a.k, b.k))
  return keyed.map((x) => x.m)
}

/** The listing row of a member, before its content hash is known. */
export function memberRow(m: Member): MemberRow {
  const e = m.entry
  const kind = e.kind === 'dir' ? 'dir' : e.kind === 'symlink' ? 'symlink' : 'file'
  const row: MemberRow = { type: 'member', path: m.name, kind, size: kind === 'file' ? e.size : 0, mtime: mtimeString(e.mtimeMs) }
  if (e.path_b64 !== undefined) row.path_b64 = m.nameBytes.toString('base64')
  if (kind === 'symlink') row.target = e.target ?? ''
  return row
}
