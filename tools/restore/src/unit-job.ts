/**
 * One unit as a job that can cross to a worker thread (unit-pool.ts) and back: plain data only.
 * The job carries what restoreUnit needs (the old roots known so far, which of its targets are
 * ours, its byte budget); the result carries its outcome (with the marker to write), the JSON and
 * pickle rewrites to count, and the old roots as the unit left them (new ones found, rewrites
 * counted), for the main thread to take in. The same function runs a job on the main thread.
 */
import { ClaraError } from '@clara/shared/cli'
import { Refusal } from './limits.js'
import { StateDir } from './markers.js'
import { RootSet, type Rewrite, type RootInfo } from './old-roots.js'
import type { RestoreUnit } from './run-plan.js'
import { restoreUnit, type Outcome } from './unit-restore.js'

export interface UnitJob {
  unit: RestoreUnit
  root: string
  /** the new root as the rewrite writes it (RootSet.newRoot) */
  newRoot: string
  roots: RootInfo[]
  /** the unit's targets that are already ours (claimed, or made by an earlier unit) */
  owned: string[]
  limit: number
  skipUnder: string[]
  keepSpecialModes: boolean
  distrusted: string[]
}

/** An error as it crosses back: its kind decides how the unit is reported (refused, or failed with its code). */
export interface WireError {
  kind: 'refusal' | 'clara' | 'error'
  message: string
  code?: string
  member?: string
  exitCode?: number
}

export interface UnitResult {
  outcome?: Outcome
  error?: WireError
  json: [string, Rewrite[], { reformatted?: boolean; error?: string } | undefined][]
  pickles: [string, number, string | undefined][]
  roots: RootInfo[]
}

export function toWireError(err: unknown): WireError {
  const e = err as Error & { code?: string }
  if (err instanceof Refusal) return { kind: 'refusal', message: err.message, member: err.member }
  if (err instanceof ClaraError) return { kind: 'clara', message: err.message, code: err.code, exitCode: err.exitCode }
  return { kind: 'error', message: e?.message ?? String(err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) }
}

export function fromWireError(w: WireError): Error {
  if (w.kind === 'refusal') return new Refusal(w.message, w.member)
  if (w.kind === 'clara') return new ClaraError(w.message, w.exitCode as ClaraError['exitCode'], w.code)
  return Object.assign(new Error(w.message), w.code ? { code: w.code } : {})
}

/** Restore the job's unit; never throws (a failure is the result's `error`). */
export async function runUnitJob(job: UnitJob): Promise<UnitResult> {
  const roots = RootSet.of(job.newRoot, job.roots)
  const res: UnitResult = { json: [], pickles: [], roots: [] }
  try {
    res.outcome = await restoreUnit(job.unit, {
      root: job.root,
      state: new StateDir(job.root),
      roots,
      owned: new Set(job.owned),
      limit: job.limit,
      skipUnder: new Set(job.skipUnder),
      keepSpecialModes: job.keepSpecialModes,
      distrusted: job.distrusted,
      onJson: (rel, changes, note) => res.json.push([rel, changes, note]),
      onPickle: (rel, n, err) => res.pickles.push([rel, n, err]),
    })
  } catch (err) {
    res.error = toWireError(err)
  }
  res.roots = roots.list()
  return res
}
