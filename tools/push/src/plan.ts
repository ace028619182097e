/** What a push sends: every finished run (in one rsync, for -H), and which run `latest` names. */
import type { RunSet } from '@clara/shared/run-set'

export interface PushPlan {
  /** finished runs, oldest first */
  runs: string[]
  /** unfinished runs left out (in progress, or died) */
  skipped: string[]
  /** the run the remote `latest` will point to, or null */
  latest: string | null
}

/** The local `latest` when it names a finished run being pushed, else the newest finished run. */
export function planPush(set: RunSet): PushPlan {
  const runs = set.runs.filter((r) => r.finished).map((r) => r.id)
  const skipped = set.runs.filter((r) => !r.finished).map((r) => r.id)
  const latest = set.latest && runs.includes(set.latest) ? set.latest : (runs.at(-1) ?? null)
  return { runs, skipped, latest }
}
