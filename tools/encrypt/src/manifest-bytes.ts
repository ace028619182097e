/**
 * Keep a finished run's manifest.json in step with its indexes: the manifest's byte totals are sums
 * of index `size_bytes`, and sealing or unsealing changes those. A run without a manifest (still
 * being written, the usual case) is left alone: its manifest will be built from the new indexes.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { keepGroup } from './doc-set.js'

/**
 * Add `deltas` (domain → bytes) to `<from>/manifest.json` and write it to `<to>/manifest.json`.
 * Returns false when there is no manifest. Writes nothing when from = to and nothing changed.
 */
export async function adjustManifest(fromRun: string, toRun: string, deltas: Map<string, number>): Promise<boolean> {
  const file = path.join(fromRun, 'manifest.json')
  let m: { domains?: Record<string, { bytes?: number }>; totals?: { bytes?: number } }
  let gid: number
  try {
    m = JSON.parse(await fsp.readFile(file, 'utf8'))
    gid = (await fsp.stat(file)).gid
  } catch {
    return false
  }
  let total = 0
  for (const [domain, delta] of deltas) {
    const d = m.domains?.[domain]
    if (d && typeof d.bytes === 'number') d.bytes += delta
    total += delta
  }
  if (m.totals && typeof m.totals.bytes === 'number') m.totals.bytes += total
  if (path.resolve(fromRun) === path.resolve(toRun) && total === 0 && ![...deltas.values()].some(Boolean)) return true
  const dest = path.join(toRun, 'manifest.json')
  await writeJsonAtomic(dest, m, { mode: 0o640 })
  await keepGroup(dest, gid)
  return true
}
