/** A member of an archive: a walked tree entry and the name it gets inside the archive. */
import { statEntry, type TreeEntry } from '@clara/shared/walk'

export interface Member {
  /** archive path (POSIX, UTF-8) */
  name: string
  /** the archive path as raw bytes (differs from `name` only for non-UTF-8 names) */
  nameBytes: Buffer
  entry: TreeEntry
  /** `nameBytes` as latin1 (one char per byte: such strings compare like their bytes), made once by byteKey */
  key?: string
}

/** The archive path as a string that sorts and compares like its bytes. */
export function byteKey(m: Member): string {
  return (m.key ??= m.nameBytes.toString('latin1'))
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
  /** a symlink's target as text (lossy when not UTF-8) */
  target?: string
  /** the target's exact bytes (base64), only when they are not UTF-8 */
  target_b64?: string
}

/** The mtime as RFC3339 with milliseconds: the form used in listings and fingerprints. */
export function mtimeString(mtimeMs: number): string {
  return new Date(Math.floor(mtimeMs)).toISOString()
}

/** Sort members by archive path, segment-wise, in byte order (as latin1 strings: they compare like their bytes). */
export function sortByPath(members: Member[]): Member[] {
  const keyed = members.map((m) => ({ m, k: byteKey(m).replaceAll('/', '\0') }))
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
  return keyed.map((x) => x.m)
}

/** The listing row of a member, before its content hash is known. */
export function memberRow(m: Member): MemberRow {
  const e = m.entry
  const kind = e.kind === 'dir' ? 'dir' : e.kind === 'symlink' ? 'symlink' : 'file'
  const row: MemberRow = { type: 'member', path: m.name, kind, size: kind === 'file' ? e.size : 0, mtime: mtimeString(e.mtimeMs) }
  if (e.path_b64 !== undefined) row.path_b64 = m.nameBytes.toString('base64')
  if (kind === 'symlink') {
    row.target = e.target ?? ''
    if (e.target_b64 !== undefined) row.target_b64 = e.target_b64
  }
  return row
}

/** Look at a member's file again (it changed under us). */
export async function restat(m: Member): Promise<TreeEntry> {
  try {
    return await statEntry(m.entry.abs, m.entry.relBytes)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'ENOENT' ? 'vanished' : 'cannot be read'
    throw Object.assign(new Error(`${m.entry.rel}: ${why} (${e.code ?? e.message})`), { code: e.code ?? 'EIO' })
  }
}
