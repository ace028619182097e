/** Restore every planned unit in order; a refused or failed unit is reported and the others go on. */
import { lstatSync } from 'node:fs'
import type { Logger } from '@clara/shared/log'
import type { RecordWriter } from '@clara/shared/ndjson'
import { errorRecord } from '@clara/shared/records'
import { Refusal, unitBudget } from './limits.js'
import { targetBytes, targetPath, targetsOf } from './mapping.js'
import type { StateDir } from './markers.js'
import type { RootSet } from './old-roots.js'
import type { Report } from './report.js'
import type { RestoreUnit } from './run-plan.js'
import { restoreUnit, type Outcome } from './unit-restore.js'

export interface UnitsContext {
  root: string
  state: StateDir
  roots: RootSet
  maxUnitBytes: number
  out: RecordWriter
  log: Logger
  report: Report
  /** targets of every non-snapshot unit of the run (their bytes as latin1 text: exact, whatever the names) */
  covered: Set<string>
  keepSpecialModes: boolean
  signal?: AbortSignal
}

/**
 * Snapshots are the safety net: they only fill in what no other unit of the run covers, whether
 * or not that unit is restored this time (compiled-first leaves project sources out on purpose).
 */
export function coveredTargets(all: RestoreUnit[]): Set<string> {
  return new Set(all.filter((u) => u.group !== 'snapshots' && !u.refusal).flatMap((u) => u.artifacts.flatMap((a) => targetsOf(a.specs).map((t) => targetBytes(t).toString('latin1')))))
}

/** Claim every target of the units that is not there yet (one durable write instead of an intent per unit). */
async function claimAbsent(units: RestoreUnit[], c: UnitsContext, owned: Set<string>): Promise<void> {
  const absent = [...new Set(units.filter((u) => !u.refusal).flatMap((u) => u.artifacts.flatMap((a) => targetsOf(a.specs))))]
    .filter((t) => !owned.has(t) && !lstatSync(targetPath(c.root, t), { throwIfNoEntry: false }))
  await c.state.claim(absent)
  for (const t of absent) owned.add(t)
}

export async function restoreUnits(units: RestoreUnit[], c: UnitsContext): Promise<void> {
  const owned = await c.state.ownedTargets()
  await claimAbsent(units, c, owned)
  const others = c.covered
  // a unit is reported once its marker is written; markers land in order, behind the unpacking
  let reported: Promise<void> = Promise.resolve()
  for (const [i, u] of units.entries()) {
    let r: Outcome | null = null
    let failure: unknown = null
    try {
      c.signal?.throwIfAborted()
      if (u.refusal) throw new Refusal(u.refusal)
      const limit = await unitBudget(c.root, c.maxUnitBytes)
      const skipUnder = u.group === 'snapshots' ? others : new Set<string>()
      r = await restoreUnit(u, { root: c.root, state: c.state, roots: c.roots, owned, limit, skipUnder, keepSpecialModes: c.keepSpecialModes, onJson: (rel, ch, note) => c.report.json(rel, ch, note), onPickle: (rel, n, err) => c.report.pickle(rel, n, err) })
    } catch (err) {
      if (c.signal?.aborted) {
        await reported
        throw err
      }
      failure = err
    }
    const outcome = r
    reported = reported.then(() => (outcome ? outcome.marked.then(() => restored(u, outcome, c), (err) => failed(u, err, c)) : failed(u, failure, c)))
    c.log.progress({ items: i + 1, total: units.length, bytes: c.report.bytes_restored })
  }
  await reported
}

async function restored(u: RestoreUnit, r: Outcome, c: UnitsContext): Promise<void> {
  const item = `${u.domain}/${u.unit}`
  if (r.status === 'skipped') c.report.units.skipped++
  else c.report.units.restored++
  c.report.files_restored += r.files
  c.report.bytes_restored += r.bytes
  c.report.modes_changed += r.modesChanged
  c.report.linksOutside(r.linksOutside)
  for (const s of r.skipped) {
    c.report.units.members_refused.push({ domain: u.domain, unit: u.unit, member: s.member, reason: s.reason })
    c.log.error(item, `member ${s.member} not restored: ${s.reason}`)
  }
  for (const t of r.replaced) {
    c.report.units.replaced.push(t)
    c.log.warn(t, `was already there: moved to ${c.state.aside(t)}`)
    c.report.warnings.push(`${t}: was already there: moved to ${c.state.aside(t)}`)
  }
  await c.out.write({ type: 'restored', domain: u.domain, unit: u.unit, targets: r.targets, files: r.files, bytes: r.bytes, ...(r.status === 'skipped' ? { already: true } : {}), ...(r.replaced.length ? { replaced: r.replaced } : {}), ...(r.skipped.length ? { refused_members: r.skipped } : {}) })
  c.log.detail(`${item}: ${r.status} (${r.files} files)`)
}

async function failed(u: RestoreUnit, err: unknown, c: UnitsContext): Promise<void> {
  const item = `${u.domain}/${u.unit}`
  if (err instanceof Refusal) {
    c.report.units.refused.push({ domain: u.domain, unit: u.unit, reason: err.message, member: err.member })
    c.log.error(item, `refused: ${err.message}`)
    await c.out.write({ type: 'refused', domain: u.domain, unit: u.unit, reason: err.message, ...(err.member !== undefined ? { member: err.member } : {}) })
  } else {
    const rec = errorRecord('restore', item, err, { domain: u.domain, unit: u.unit })
    c.report.units.failed.push({ domain: u.domain, unit: u.unit, reason: rec.message, code: rec.code })
    c.log.error(item, rec.message)
    await c.out.write(rec)
  }
}
