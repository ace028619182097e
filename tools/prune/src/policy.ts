/**
 * The retention policy: which runs to keep and which to delete. Pure: it reads a RunSet and
 * decides, it touches nothing. The never-delete rules come first (rsnapshot's destructive
 * rotation, issues #33/#284: when the newest run failed, delete nothing at all).
 */
import type { RunEntry, RunSet } from '@clara/shared/run-set'
import { manifestProblem } from '@clara/shared/run-set'
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

/** Why the newest run forbids any deletion, or null when it finished cleanly. */
export function blockedBy(newest: RunEntry | undefined): string | null {
  if (!newest) return null
  if (!newest.finished) return `newest run ${newest.id} is unfinished (no manifest.json): it may be in progress or have died; nothing is deleted`
  if (newest.manifestError) return `newest run ${newest.id} has an unreadable manifest (${newest.manifestError}); nothing is deleted`
  if (newest.failed) return `newest run ${newest.id} failed (${manifestProblem(newest.manifest!)}); nothing is deleted until a run succeeds`
  return null
}

/**
 * One run per bucket for the newest `n` buckets that hold finished runs. Within a bucket the
 * newest clean run wins, else the newest finished one (a partial run never displaces a good one).
 */
export function pickPerBucket(finished: RunEntry[], n: number, key: (t: Date) => string): Map<string, string> {
  const picks = new Map<string, RunEntry>() // bucket → run, in newest-first bucket order
  for (const r of finished) {
    const b = key(r.time)
    const cur = picks.get(b)
    if (!cur) {
      if (picks.size >= n) break
      picks.set(b, r)
    } else if (cur.failed && !r.failed) picks.set(b, r)
  }
  return new Map([...picks].map(([b, r]) => [r.id, b]))
}

function keepReasons(r: RunEntry, set: RunSet, ctx: { newestClean?: string; daily: Map<string, string>; weekly: Map<string, string>; p: Policy }): string[] {
  const why: string[] = []
  if (r.id === ctx.newestClean) why.push('newest run without failures')
  if (r.pinned) why.push('pinned by a keep file')
  if (r.id === set.latest) why.push('latest points to it')
  if (ctx.daily.has(r.id)) why.push(`daily ${ctx.daily.get(r.id)}`)
  if (ctx.weekly.has(r.id)) why.push(`weekly ${ctx.weekly.get(r.id)}`)
  if (!r.finished) {
    const age = ctx.p.now.getTime() - r.time.getTime()
    const tooOld = ctx.p.unfinishedAfterMs !== null && age > ctx.p.unfinishedAfterMs
    if (!tooOld) why.push('unfinished (may be in progress or resumable)')
  }
  return why
}

/** Decide every run of the set. */
export function planPrune(set: RunSet, p: Policy): Plan {
  const newestFirst = [...set.runs].reverse()
  const blocked = blockedBy(newestFirst[0])
  if (blocked) return { blocked, decisions: newestFirst.map((r) => ({ run: r.id, action: 'keep', reasons: ['nothing is deleted: ' + blocked.replace(/; nothing is deleted.*$/, '')] })) }
  const finished = newestFirst.filter((r) => r.finished)
  const ctx = {
    newestClean: finished.find((r) => !r.failed)?.id,
    daily: pickPerBucket(finished, p.daily, utcDay),
    weekly: pickPerBucket(finished, p.weekly, isoWeek),
    p,
  }
  const decisions = newestFirst.map((r): Decision => {
    const why = keepReasons(r, set, ctx)
    if (why.length) return { run: r.id, action: 'keep', reasons: why }
    const because = r.finished ? `not among the newest ${p.daily} daily / ${p.weekly} weekly runs` : 'unfinished and older than --delete-unfinished'
    return { run: r.id, action: 'delete', reasons: [because] }
  })
  return { blocked: null, decisions }
}
