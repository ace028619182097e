/** After a run, archives of this group that the new index does not list (old numbering, other compression) are removed. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { ShardEntry } from './index-doc.js'

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export async function removeStale(outDir: string, dir: string, group: string, single: boolean, keep: ShardEntry[]): Promise<string[]> {
  const pattern = new RegExp(`^${escape(group)}${single ? '' : '_\\d{4,}'}\\.(tar|tgz|members\\.ndjson)$`)
  const wanted = new Set(keep.flatMap((e) => [path.posix.basename(e.path), path.posix.basename(e.members_path)]))
  const removed: string[] = []
  for (const name of await fsp.readdir(path.join(outDir, dir)).catch(() => [] as string[])) {
    if (!pattern.test(name) || wanted.has(name)) continue
    await fsp.rm(path.join(outDir, dir, name), { force: true })
    removed.push(name)
  }
  return removed
}
