/**
 * Free space before a run: when BACKUP_ROOT's filesystem has less room than the last run's new bytes × 1.5,
 * the run warns at its start (and --notify hears of it); it still runs, since most of it may be hard links.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { readJson } from '@clara/shared/read-json'
import type { Manifest } from './manifest.js'
import { previousRun } from './run-dir.js'

export const SPACE_FACTOR = 1.5

export interface LowSpace {
  free_bytes: number
  needed_bytes: number
  last_new_bytes: number
  last_run: string
}

/** Bytes an unprivileged writer may still use on the filesystem that holds `dir` (or its nearest existing parent). */
async function freeBytes(dir: string): Promise<number> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = await fsp.statfs(d).catch(() => null)
    if (st) return st.bavail * st.bsize
    if (d === path.dirname(d)) return Infinity
  }
}

/** Null when there is room enough (or no earlier run to judge by). */
export async function lowSpace(root: string): Promise<LowSpace | null> {
  const prev = await previousRun(root)
  if (!prev) return null
  const m = await readJson<Manifest>(path.join(prev, 'manifest.json')).catch(() => null)
  const last = Number(m?.totals?.new_bytes)
  if (!Number.isFinite(last) || last <= 0) return null
  const free = await freeBytes(root)
  const needed = Math.ceil(last * SPACE_FACTOR)
  return free < needed ? { free_bytes: free, needed_bytes: needed, last_new_bytes: last, last_run: path.basename(prev) } : null
}
