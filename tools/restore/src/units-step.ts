/**
 * Restore every planned unit; a refused or failed unit is reported and the others go on. Units run
 * at once on `jobs` lanes (worker threads, unit-pool.ts; one lane: on the main thread) where they
 * cannot meet: a unit waits for every earlier unit whose target is its own, above or below it (audio
 * shards and snapshots merge into shared folders, so they keep their order). Compiled pages go first
 * (served at once), then the largest units first, so that one big shard does not run alone at the
 * end. Markers are written as units finish; records come out in the plan's order whatever the
 * lanes did, so a restore reports the same lines in the same order however it was run.
 */
import { lstatSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type { Logger } from '@clara/shared/log'
import type { RecordWriter } from '@clara/shared/ndjson'
import { errorRecord } from '@clara/shared/records'
import { Refusal, unitBudget } from './limits.js'
import { targetBytes, targetPath, targetsOf } from './mapping.js'
import type { StateDir } from './markers.js'
import type { RootSet } from './old-roots.js'
import type { Report } from './report.js'
import type { RestoreUnit } from './run-plan.js'
import type { Outcome } from './unit-restore.js'
import { fromWireError, runUnitJob, toWireError, type UnitJob, type UnitResult } from './unit-job.js'
import { UnitPool, type Task, type TaskResult } from './unit-pool.js'
import type { DbProof } from './proof-step.js'
import { syncFileSystem } from '@clara/shared/sync-fs'
import { contentZipFor, renderedDirOf, type ZipOutcome } from './content-zip.js'
import { contentZipName, type ContentZipType } from '@clara/clara-model/content-zip'

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
  /** units restored at once (default: one per CPU, at most MAX_JOBS) */
  jobs?: number
  /** also build the content zip of each rendered dir restored that had one (returned by restoreUnits, for the site step) */
  contentZips?: boolean
  /** a content zip that looks fresh is kept (false after a boot that ended unflushed: markers.ts) */
  trustZips?: boolean
  /** the restored database (its paths rewritten): proved on a lane while the units restore (proof-step.ts) */
  dbProof?: { url: string; cwd: string }
  signal?: AbortSignal
}

export interface UnitsDone {
  /** the content zips dealt with, by zip path (for the site step) */
  zips: Map<string, ZipOutcome>
  /** the database half of the proof, when it ran on a lane and finished */
  dbProof: DbProof | null
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

/**
 * Restored bytes between two background flushes: the disk writes them while the lanes go on, so the
 * one flush before the report (restore.ts) finds little left to write.
 */
export const FLUSH_EVERY = 128 * 2 ** 20

/** Lanes by default: one per CPU, at most this many (the disk, not the CPU, limits more). */
export const MAX_JOBS = 4

export const defaultJobs = () => Math.min(MAX_JOBS, availableParallelism())

/** A target as its bytes (latin1 text), split into components ('' is the whole root). */
const partsOfTarget = (t: string) => {
  const b = targetBytes(t).toString('latin1')
  return b ? b.split('/') : []
}

const unitTargets = (u: RestoreUnit) => [...new Set(u.artifacts.flatMap((a) => targetsOf(a.specs)))]

interface Node {
  tasks: number[]
  kids: Map<string, Node>
}

/** For each task (its targets), the earlier tasks it must wait for: a target equal to, above or below one of its own. */
export function blockers(targets: string[][]): number[][] {
  const top: Node = { tasks: [], kids: new Map() }
  const under = (n: Node, into: Set<number>): void => {
    for (const j of n.tasks) into.add(j)
    for (const k of n.kids.values()) under(k, into)
  }
  return targets.map((ts, i) => {
    const found = new Set<number>()
    const ends = new Set<Node>()
    for (const t of ts) {
      let n = top
      for (const p of partsOfTarget(t)) {
        for (const j of n.tasks) found.add(j)
        let k = n.kids.get(p)
        if (!k) n.kids.set(p, (k = { tasks: [], kids: new Map() }))
        n = k
      }
      under(n, found)
      ends.add(n)
    }
    for (const n of ends) n.tasks.push(i)
    return [...found]
  })
}

/** A task for a lane: a unit of the plan, or (after every unit that writes into it) a rendered dir's content zip. */
type Work = { kind: 'unit'; i: number; targets: string[]; bytes: number; first: boolean } | { kind: 'zip'; type: ContentZipType; id: string; rel: string; targets: string[]; bytes: number; first: false }

const artifactBytes = (u: RestoreUnit) => u.artifacts.reduce((n, a) => n + (statSync(a.abs, { throwIfNoEntry: false })?.size ?? 0), 0)

/**
 * The units, then the content zips of the rendered dirs they restore (each about the size of its
 * unit's artifacts): those the install had, as the unit's metadata lists them (`none`: the others,
 * by zip path), or every one when the backup did not record which (an older run).
 */
function tasksOf(units: RestoreUnit[], zips: boolean): { work: Work[]; none: string[] } {
  const work: Work[] = units.map((u, i) => ({ kind: 'unit', i, targets: u.refusal ? [] : unitTargets(u), bytes: artifactBytes(u), first: u.group === 'compiled' }))
  const none: string[] = []
  if (!zips) return { work, none }
  for (const w of [...work]) {
    if (w.kind !== 'unit' || units[w.i].refusal || units[w.i].group !== 'compiled') continue
    const had = units[w.i].contentZips
    for (const t of w.targets) {
      const d = renderedDirOf(t)
      if (!d) continue
      const rel = `${t}/${contentZipName(d.type)}`
      if (had && !had.includes(d.type)) none.push(rel)
      else work.push({ kind: 'zip', ...d, rel, targets: [t], bytes: w.bytes, first: false })
    }
  }
  return { work, none }
}

/** Which ready task goes first: compiled pages (in plan order), then the largest. */
function startOrder(work: Work[]): number[] {
  return work.map((_, k) => k).sort((a, b) => Number(work[b].first) - Number(work[a].first) || (work[a].first ? 0 : work[b].bytes - work[a].bytes) || a - b)
}

export async function restoreUnits(units: RestoreUnit[], c: UnitsContext): Promise<UnitsDone> {
  const owned = await c.state.ownedTargets()
  await claimAbsent(units, c, owned)
  const distrusted = await c.state.distrusted()
  await c.state.writing() // markers and content zips get no fsync from here on (markers.ts)
  const { work, none } = tasksOf(units, Boolean(c.contentZips))
  const waitFor = blockers(work.map((w) => w.targets))
  const order = startOrder(work)
  const lanes = Math.max(1, Math.min(c.jobs ?? defaultJobs(), work.filter((w) => w.kind === 'zip' || !units[w.i].refusal).length))
  const pool = lanes > 1 ? new UnitPool(lanes) : null
  c.log.info(lanes > 1 ? `restoring on ${lanes} threads at once` : 'restoring one unit at a time')
  // the database proof on a lane (it needs nothing the units write), with the old roots known now
  const proving: Promise<TaskResult> | null = pool && c.dbProof ? pool.run({ proof: { ...c.dbProof, newRoot: c.roots.newRoot, roots: c.roots.list() } }) : null
  const zips = new Map<string, ZipOutcome>(none.map((rel) => [rel, { state: 'none' }]))
  const results: ({ r: Outcome | null; failure: unknown; res?: UnitResult } | undefined)[] = new Array(units.length)
  const marked: Promise<void>[] = new Array(units.length)
  const done = new Set<number>()
  const started = new Set<number>()
  let running = 0
  let cursor = 0
  // markers land as units finish (one at a time); records in plan order, each once its marker is written
  let markers: Promise<void> = Promise.resolve()
  let reported: Promise<void> = Promise.resolve()

  const report = () => {
    for (; cursor < units.length && results[cursor]; cursor++) {
      const i = cursor
      const u = units[i]
      const { r, failure, res } = results[i]!
      // the JSON files and pickles are counted in the plan's order too (the report lists them so)
      for (const [rel, ch, note] of res?.json ?? []) c.report.json(rel, ch, note)
      for (const [rel, n, err] of res?.pickles ?? []) c.report.pickle(rel, n, err)
      reported = reported.then(() => (r ? marked[i].then(() => restored(u, r, c), (err) => failed(u, err, c)) : failed(u, failure, c)))
      reported = reported.then(() => c.log.progress({ items: i + 1, total: units.length, bytes: c.report.bytes_restored }))
    }
  }

  // a flush of the file system started in the background (a child process) every FLUSH_EVERY bytes
  let unflushed = 0
  let flushing = false
  const wrote = (bytes: number) => {
    unflushed += bytes
    if (flushing || unflushed < FLUSH_EVERY) return
    flushing = true
    unflushed = 0
    // a failure here is not fatal: the flush before the report is the one that counts (and reports)
    syncFileSystem(c.root).catch(() => {}).finally(() => (flushing = false))
  }

  const finishUnit = (i: number, res: UnitResult) => {
    const u = units[i]
    c.roots.merge(res.roots)
    const r = res.outcome ?? null
    if (r?.status === 'restored') wrote(r.bytes)
    if (r) {
      for (const t of r.targets) owned.add(t)
      const m = r.marker
      marked[i] = markers = markers.then(async () => {
        if (!m) return
        await c.state.writeMarker(m)
        if (r.intent) await c.state.dropIntent(u.domain, u.unit)
      })
      marked[i].catch(() => {}) // reported in order
    }
    results[i] = { r, failure: res.error ? fromWireError(res.error) : null, res }
    report()
  }

  const unitJob = async (i: number): Promise<UnitJob> => {
    const u = units[i]
    return {
      unit: u,
      root: c.root,
      newRoot: c.roots.newRoot,
      roots: c.roots.list(),
      owned: unitTargets(u).filter((t) => owned.has(t)),
      limit: await unitBudget(c.root, c.maxUnitBytes),
      skipUnder: u.group === 'snapshots' ? [...c.covered] : [],
      keepSpecialModes: c.keepSpecialModes,
      distrusted,
    }
  }

  const runTask = async (k: number): Promise<void> => {
    const w = work[k]
    if (w.kind === 'zip') {
      const trustFresh = c.trustZips !== false
      const task: Task = { zip: { root: c.root, type: w.type, id: w.id, trustFresh } }
      const z = (await (pool ? pool.run(task) : contentZipFor(c.root, w.type, w.id, trustFresh))) as ZipOutcome
      zips.set(w.rel, z)
      if (z.state === 'built') wrote(w.bytes) // about its unit's size
      return
    }
    let res: UnitResult
    try {
      const task: Task = { unit: await unitJob(w.i) }
      res = (await (pool ? pool.run(task) : runUnitJob(task.unit))) as UnitResult
    } catch (err) {
      res = { error: toWireError(err), json: [], pickles: [], roots: [] }
    }
    finishUnit(w.i, res)
  }

  try {
    await new Promise<void>((resolve, reject) => {
      let stopped = false
      const stop = (err: unknown) => {
        if (stopped) return
        stopped = true
        c.signal?.removeEventListener('abort', onAbort)
        reject(err)
      }
      const onAbort = () => stop(c.signal!.reason)
      c.signal?.addEventListener('abort', onAbort, { once: true })
      const next = () => {
        if (stopped) return
        if (c.signal?.aborted) return stop(c.signal.reason)
        // two tasks queued per lane (unit-pool.ts); one at a time on the main thread
      while (running < (pool ? 2 * lanes : 1)) {
          const k = order.find((x) => !started.has(x) && waitFor[x].every((j) => done.has(j)))
          if (k === undefined) break
          started.add(k)
          const w = work[k]
          if (w.kind === 'unit' && units[w.i].refusal) {
            results[w.i] = { r: null, failure: new Refusal(units[w.i].refusal!) }
            done.add(k)
            report()
            continue
          }
          running++
          runTask(k).then(() => {
            running--
            done.add(k)
            next()
          }, stop)
        }
        if (done.size === work.length) {
          c.signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      }
      next()
    })
  } catch (err) {
    await pool?.close()
    if (c.signal?.aborted) await reported.catch(() => {})
    throw err
  }
  const proved = proving ? await proving : null
  await pool?.close()
  await reported
  return { zips, dbProof: proved && 'left' in proved ? proved : null }
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
