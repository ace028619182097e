/**
 * A whole clara-backup run (every domain, pipelines of listers, archivers and clara-index) killed
 * at a random point, into a backup root whose `latest` is a finished run; then --resume.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { artifactMap, diffMaps } from '../artifact-map.js'
import type { Target } from '../crash.js'
import { checkFinalNames } from '../final-names.js'
import { runCmd } from '../proc.js'
import { checkListed } from '../run-checks.js'
import { treeBytes } from '../tree-size.js'
import { verifyRun } from '../verify.js'
import { backupCmd, type World } from '../world.js'
import { sameExit } from './common.js'

/** Every run directory under a backup root. */
async function runsOf(root: string): Promise<string[]> {
  return (await fsp.readdir(root).catch(() => [] as string[])).filter((n) => /^\d{8}T\d{6}Z$/.test(n)).sort()
}

/** After a kill: every run intact, `latest` a finished run that verifies, the killed run never `latest` unless finished. */
async function rootIntact(root: string): Promise<string[]> {
  const out = await checkFinalNames(root)
  for (const id of await runsOf(root)) out.push(...(await checkListed(path.join(root, id))))
  const latest = await fsp.readlink(path.join(root, 'latest')).catch(() => null)
  if (!latest) return [...out, '`latest` is gone']
  const hasManifest = await fsp.access(path.join(root, latest, 'manifest.json')).then(() => true, () => false)
  if (!hasManifest) out.push(`\`latest\` points at ${latest}, which has no manifest.json`)
  out.push(...(await verifyRun(path.join(root, 'latest'))).map((p) => `latest (${latest}): ${p}`))
  return out
}

export async function backupTarget(w: World): Promise<Target> {
  const refRun = path.join(w.baseRoot, w.refRunId)
  const want = await artifactMap(refRun)
  const variant = new Map<string, string[]>()
  return {
    name: 'backup',
    records: w.refRunRecords,
    bytes: treeBytes(refRun),
    async start(trial, r) {
      const root = path.join(trial, 'root')
      await fsp.cp(w.baseRoot, root, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true })
      const flags = r.chance(0.5) ? ['--full'] : []
      variant.set(trial, flags)
      return { cmd: backupCmd(w, root, path.join(trial, 'lock'), flags), watch: root, note: flags.length ? '--full' : 'incremental' }
    },
    afterKill: (trial) => rootIntact(path.join(trial, 'root')),
    async converge(trial) {
      const root = path.join(trial, 'root')
      const killed = (await runsOf(root)).filter((id) => id !== w.refRunId)
      const flags = [...(variant.get(trial) ?? []), ...(killed.length ? ['--resume', killed[0]] : [])]
      const again = await runCmd(backupCmd(w, root, path.join(trial, 'lock'), flags))
      const out = await sameExit(`clara-backup ${flags.join(' ')}`, again, w.refRunExit, trial)
      const runs = (await runsOf(root)).filter((id) => id !== w.refRunId)
      if (runs.length !== 1) return [...out, `expected one new run beside the reference, found ${runs.join(', ') || 'none'}`]
      const latest = await fsp.readlink(path.join(root, 'latest')).catch(() => null)
      if (latest !== runs[0]) out.push(`\`latest\` is ${latest}, not the finished run ${runs[0]}`)
      out.push(...(await rootIntact(root)))
      out.push(...diffMaps(want, await artifactMap(path.join(root, runs[0]))))
      return out
    },
  }
}
