/** `db/index.json`, rebuilt from the metadata files on disk so it lists exactly the dumps there. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { isMetadataName } from './dump-names.js'

export interface DbIndexEntry {
  name: string
  /** relative to the run directory */
  path: string
  size_bytes: number
  sha256: string
  engine: string
  updated_at: string
  metadata: string
}

const posix = (p: string) => p.split(path.sep).join('/')

/** Read every `*.db_metadata.json` in `dir` whose dump exists, and write `dir/index.json`. */
export async function writeDbIndex(dir: string, root: string): Promise<DbIndexEntry[]> {
  const entries: DbIndexEntry[] = []
  for (const name of (await fsp.readdir(dir)).filter(isMetadataName).sort()) {
    let meta: Record<string, unknown>
    try {
      meta = JSON.parse(await fsp.readFile(path.join(dir, name), 'utf8'))
    } catch {
      continue // unreadable metadata: the dump counts as unfinished
    }
    const dump = String(meta.dump ?? '')
    const st = await fsp.stat(path.join(dir, dump)).catch(() => null)
    if (!dump || !st?.isFile()) continue
    entries.push({
      name: dump,
      path: posix(path.relative(root, path.join(dir, dump))),
      size_bytes: Number(meta.size_bytes),
      sha256: String(meta.sha256),
      engine: String(meta.engine),
      updated_at: String(meta.created_at),
      metadata: posix(path.relative(root, path.join(dir, name))),
    })
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  await writeJsonAtomic(path.join(dir, 'index.json'), { version: 1, entries })
  return entries
}
