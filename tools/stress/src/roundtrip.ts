/**
 * Randomised round trips (fast-check): a fresh fixture install; K times: change it at random,
 * take a snapshot, back it up (incremental, or --full at random); then restore one of the runs at
 * random and compare the restore with the snapshot of that run.
 */
import fc from 'fast-check'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { diffSnapshots, snapshot, type Snapshot } from './live-snapshot.js'
import { LiveInstall, mutationArb, type Mutation } from './mutations.js'
import { bin } from './paths.js'
import { runCmd } from './proc.js'
import { verifyRun } from './verify.js'
import { backupCmd, must } from './world.js'

export interface RoundTripOptions {
  work: string
  seed: number
  runs: number
  /** backups per round trip */
  backups: number
  onRun?: (line: string) => void
}

/** The one failure the fixture has on purpose (clara-facts §9: an unresolved media reference). */
const EXPECTED_FAILURES = ['compiled_exports/12']

async function backupStep(dir: string, live: LiveInstall, full: boolean): Promise<string> {
  const root = path.join(dir, 'backups')
  const r = must(await runCmd(backupCmd(live, root, path.join(dir, 'lock'), full ? ['--full'] : [])), 'clara-backup', [0, 1])
  const id = await fsp.readlink(path.join(root, 'latest'))
  const failures = JSON.parse(await fsp.readFile(path.join(root, id, 'failures.json'), 'utf8')).failures.map((f: { domain: string; unit: string; message: string }) => `${f.domain}/${f.unit}`)
  const extra = failures.filter((f: string) => !EXPECTED_FAILURES.includes(f))
  if (extra.length) throw new Error(`backup ${id} (exit ${r.code}) failed units: ${extra.join(', ')}`)
  return path.join(root, id)
}

async function restoreStep(dir: string, run: string, want: Snapshot): Promise<string[]> {
  const to = path.join(dir, 'restored')
  const db = `sqlite://${path.join(dir, 'restored.sqlite3')}`
  const r = await runCmd({ cmd: bin('clara-restore'), args: [run, '--to', to, '--db', db, '--sources', '--quiet'] })
  if (r.code !== 0) return [`clara-restore exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`]
  return diffSnapshots(want, await snapshot(to, db))
}

/** One round trip; throws (with what differs) when the restore is not what was live. */
async function roundTrip(dir: string, batches: Mutation[][], fulls: boolean[], pick: number): Promise<void> {
  const clara = path.join(dir, 'clara')
  must(await runCmd({ cmd: bin('clara-fixture'), args: ['--clara', clara, '--quiet'] }), 'clara-fixture')
  const live = new LiveInstall(clara, `sqlite://${path.join(clara, 'db.sqlite3')}`)
  const snaps: Snapshot[] = []
  const runs: string[] = []
  for (const [i, batch] of batches.entries()) {
    for (const m of batch) await live.apply(m)
    snaps.push(await snapshot(clara, live.db))
    runs.push(await backupStep(dir, live, fulls[i]))
  }
  const j = pick % runs.length
  const problems = [...(await verifyRun(runs[j])), ...(await restoreStep(dir, runs[j], snaps[j]))]
  if (problems.length) throw new Error(`restore of backup ${j + 1} of ${runs.length} (${path.basename(runs[j])}) differs from what was live:\n  ${problems.join('\n  ')}`)
}

/** Run the property; returns null when every round trip held, else fast-check's report (seed, counterexample). */
export async function roundTrips(o: RoundTripOptions): Promise<string | null> {
  let n = 0
  const prop = fc.asyncProperty(
    fc.array(fc.array(mutationArb, { minLength: 1, maxLength: 10 }), { minLength: o.backups, maxLength: o.backups }),
    fc.array(fc.constantFrom(false, false, true), { minLength: o.backups, maxLength: o.backups }),
    fc.nat(),
    async (batches, fulls, pick) => {
      const dir = path.join(o.work, `roundtrip-${++n}`)
      const t0 = Date.now()
      await roundTrip(dir, batches, fulls, pick)
      await fsp.rm(dir, { recursive: true, force: true })
      o.onRun?.(`round trip ${n}: ${batches.map((b) => b.length).join('+')} changes, backups ${fulls.map((f) => (f ? 'full' : 'incremental')).join(', ')}, restored #${(pick % o.backups) + 1}: equal (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
    },
  )
  const res = await fc.check(prop, { seed: o.seed, numRuns: o.runs, endOnFailure: true })
  if (!res.failed) return null
  const why = res.errorInstance instanceof Error ? res.errorInstance.message : String(res.errorInstance)
  return `${why}\n${fc.defaultReportMessage(res) ?? `round trip failed (seed ${o.seed})`}`
}
