/** The audio cache as `file` records (root = the cache directory), in walk order. */
import { promises as fsp } from 'node:fs'
import type { FileRecord } from '@clara/shared/records'
import { walkTreeSync } from '@clara/shared/walk-sync'

export interface CacheListing {
  exists: boolean
  records: FileRecord[]
  /** directories that could not be read */
  unreadable: { path: string; code?: string; message: string }[]
}

export async function listCache(root: string): Promise<CacheListing> {
  const st = await fsp.stat(root).catch(() => null)
  if (!st?.isDirectory()) return { exists: false, records: [], unreadable: [] }
  const records: FileRecord[] = []
  const unreadable: CacheListing['unreadable'] = []
  const onError = (rel: string, err: NodeJS.ErrnoException) => void unreadable.push({ path: rel, code: err.code, message: `${rel}: cannot be read (${err.code})` })
  // sync lstats: a few µs each against tens for a thread-pool round trip (see @clara/shared/walk-sync)
  for (const e of walkTreeSync(root, { onError })) {
    if (e.kind === 'dir') continue
    const rec: FileRecord = { type: 'file', root, path: e.rel, size: e.size, mtime: new Date(Math.floor(e.mtimeMs)).toISOString() }
    if (e.path_b64) rec.path_b64 = e.path_b64
    records.push(rec)
  }
  return { exists: true, records, unreadable }
}
