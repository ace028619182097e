/**
 * The retention policy: which runs to keep and which to delete. Pure: it reads a RunSet and
 * decides, it touches nothing.
 *
 * Only complete full-selection runs count: every selected domain finished (failed units allowed: a
 * real install always has some, and a policy that waits for a clean run never deletes anything), and
 * no --only, --skip or --domains left part of the install out. The newest of them is never deleted;
 * the daily and weekly picks are made among them. When there is none, nothing is deleted at all
 * (rsnapshot's destructive rotation, issues #33/#284: never rotate away what may be the last backup).
 */
import type { RunEntry, RunSet } from '@clara/shared/run-set'
import { selectionLimit } from '@clara/shared/run-set'
import { isoWeek, utcDay } from './buckets.js'

export interface Policy {
  daily: number
  weekly: number
  now: Date
  /** delete unfinished runs older than this (ms); null: never delete an unfinished run */
  unfinishedAfterMs: number | null
}

export interface Decision {
  run: string
  action: 'keep' | 'delete'
  reasons: string[]
}

export interface Plan {
  /** newest first */
  decisions: Decision[]
  /** why nothing at all may be deleted, or null */
  blocked: string | null
}

/** A run the buckets may keep: it completed (failed units allowed) and covers the whole install. */
export function keptWorthy(r: RunEntry): boolean {
  return r.completed && r.fullSelection
}

/**
 * One run per bucket for the newest `n` buckets that hold kept-worthy runs. Within a bucket the
 * newest clean run wins, else the newest one (a partial run never displaces a clean one).
 */
export function pickPerBucket(worthy: RunEntry[], n: number, key: (t: Date) => string): Map<string, string> {
  const picks = new Map<string, RunEntry>() // bucket → run, in newest-first bucket order
  for (const r of worthy) {
    const b = key(r.time)
    const cur = picks.get(b)
    if (!cur) {
      if (picks.size >= n) break
      picks.set(b, r)
    } else if (cur.failed && !r.failed) picks.set(b, r)
  }
  return new Map([...picks].map(([b, r]) => [r.id, b]))
}

interface Ctx {
  newest: RunEntry
  daily: Map<string, string>
  weekly: Map<string, string>
  /** runs that do not count (part of the install, incomplete) are kept from this time on */
  windowStart: number
  p: Policy
}

/** Why a finished run that does not count is what it is: `--domains db,infra`, `incomplete`, `unreadable manifest`. */
function notCounted(r: RunEntry, usual?: string[] | null): string {
  if (!r.manifest) return `unreadable manifest (${r.manifestError ?? 'unknown'})`
  if (!r.completed) return `status ${r.manifest.status ?? 'missing'}: a domain did not complete`
  return `covers part of the install (${selectionLimit(r.manifest, usual)})`
}

function keepReasons(r: RunEntry, set: RunSet, c: Ctx): string[] {
  const why: string[] = []
  if (r.id === c.newest.id) why.push('newest complete full-selection run')
  if (r.pinned) why.push('pinned by a keep file')
  if (r.id === set.latest) why.push('latest points to it')
  if (c.daily.has(r.id)) why.push(`daily ${c.daily.get(r.id)}`)
  if (c.weekly.has(r.id)) why.push(`weekly ${c.weekly.get(r.id)}`)
  if (!r.finished) {
    const age = c.p.now.getTime() - r.time.getTime()
    const tooOld = c.p.unfinishedAfterMs !== null && age > c.p.unfinishedAfterMs
    if (!tooOld) why.push('unfinished (may be in progress or resumable)')
  } else if (!r.manifest) why.push(`${notCounted(r, set.usual)}: left for a person to look at`)
  else if (!keptWorthy(r) && r.time.getTime() >= c.windowStart) why.push(`${notCounted(r, set.usual)}; within the daily window`)
  return why
}

function deleteReason(r: RunEntry, set: RunSet, p: Policy): string {
  if (!r.finished) return 'unfinished and older than --delete-unfinished'
  if (!keptWorthy(r)) return `${notCounted(r, set.usual)}; older than the daily window`
  return `not among the newest ${p.daily} daily / ${p.weekly} weekly complete full-selection runs`
}

/** Decide every run of the set. */
export function planPrune(set: RunSet, p: Policy): Plan {
  const newestFirst = [...set.runs].reverse()
  const worthy = newestFirst.filter(keptWorthy)
  const newest = worthy[0]
  if (!newest) {
    const blocked = newestFirst.length ? 'no complete full-selection run yet (every selected domain finished, no --only/--skip/--domains): nothing is deleted' : null
    return { blocked, decisions: newestFirst.map((r) => ({ run: r.id, action: 'keep', reasons: ['nothing is deleted: no complete full-selection run yet'] })) }
  }
  const daily = pickPerBucket(worthy, p.daily, utcDay)
  const dailyTimes = worthy.filter((r) => daily.has(r.id)).map((r) => r.time.getTime())
  const ctx: Ctx = { newest, daily, weekly: pickPerBucket(worthy, p.weekly, isoWeek), windowStart: Math.min(newest.time.getTime(), ...dailyTimes), p }
  const decisions = newestFirst.map((r): Decision => {
    const why = keepReasons(r, set, ctx)
    return why.length ? { run: r.id, action: 'keep', reasons: why } : { run: r.id, action: 'delete', reasons: [deleteReason(r, set, p)] }
  })
  return { blocked: null, decisions }
}
