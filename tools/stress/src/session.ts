/** A stress session: N crash trials round-robin over the targets, each with its own seed derived from the session seed. */
import path from 'node:path'
import { formatResult, runTrial, type TrialResult } from './crash.js'
import { trialSeed } from './rng.js'
import { TargetCache } from './targets.js'
import { closeWorld, makeWorld } from './world.js'

export interface SessionOptions {
  work: string
  seed: number
  trials: number
  targets: string[]
  /** run exactly these trials instead ([target, seed]) */
  replay?: [string, number][]
  keep?: boolean
  signal?: AbortSignal
  onResult?: (r: TrialResult, line: string) => void | Promise<void>
}

/** The trials a session runs: [target, seed] pairs. */
export function plannedTrials(o: Pick<SessionOptions, 'seed' | 'trials' | 'targets' | 'replay'>): [string, number][] {
  if (o.replay?.length) return o.replay
  return Array.from({ length: o.trials }, (_, i) => [o.targets[i % o.targets.length], trialSeed(o.seed, i)])
}

export async function runSession(o: SessionOptions): Promise<TrialResult[]> {
  const planned = plannedTrials(o)
  if (!planned.length) return []
  const world = await makeWorld(path.join(o.work, 'world'))
  const cache = new TargetCache(world)
  const results: TrialResult[] = []
  try {
    for (const [name, seed] of planned) {
      if (o.signal?.aborted) break
      const res = await runTrial(await cache.get(name), seed, path.join(o.work, 'trials'), o.keep)
      results.push(res)
      await o.onResult?.(res, formatResult(res))
    }
  } finally {
    await closeWorld(world)
  }
  return results
}
