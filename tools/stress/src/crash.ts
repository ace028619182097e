/**
 * The crash harness: start a tool, SIGKILL its whole process group at a random point (after the
 * Nth output record, or once its output tree has grown by B bytes), check what it left, finish
 * the job (resume or rerun), and compare with an uninterrupted run. A trial is one seed.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { describePlan, runUntilKilled, type KillPlan } from './killer.js'
import type { Cmd } from './proc.js'
import { rng, type Rng } from './rng.js'
import { tempFiles } from './tree-size.js'

export interface Target {
  name: string
  /** what an uninterrupted run writes: records on stdout and bytes in its tree (to place kill points) */
  records: number
  bytes: number
  /** prepare the trial folder; the command to kill, the tree to watch, and a note on the variant chosen */
  start(trial: string, r: Rng): Promise<{ cmd: Cmd; watch: string; note: string }>
  /** right after the kill: what must hold (problem lines; none = fine) */
  afterKill(trial: string): Promise<string[]>
  /** resume or rerun to the end, then compare with the uninterrupted run */
  converge(trial: string, r: Rng): Promise<string[]>
}

export interface TrialResult {
  target: string
  seed: number
  plan: string
  note: string
  /** the kill landed (false: the tool finished before the kill point) */
  killed: boolean
  problems: string[]
  ms: number
  /** temp files the kill left behind (a kill mid-write) */
  temps: number
  /** where the trial's files are (kept when it failed) */
  dir: string
}

export function pickPlan(t: Target, r: Rng, watch: string): KillPlan {
  if (r.chance(0.5)) return { by: 'records', at: r.int(1, Math.max(1, t.records)) }
  return { by: 'bytes', at: r.int(1, Math.max(1, t.bytes)), watch }
}

/** One trial of `t` with `seed`, in `<work>/<target>-<seed>/` (removed when it passed, unless `keep`). */
export async function runTrial(t: Target, seed: number, work: string, keep = false): Promise<TrialResult> {
  const t0 = Date.now()
  const r = rng(seed)
  const dir = path.join(work, `${t.name}-${seed}`)
  await fsp.rm(dir, { recursive: true, force: true })
  await fsp.mkdir(dir, { recursive: true })
  const problems: string[] = []
  const { cmd, watch, note } = await t.start(dir, r)
  const plan = pickPlan(t, r, watch)
  const k = await runUntilKilled(cmd, plan)
  if (k.timedOut) problems.push(`${t.name} hung (killed after its timeout)`)
  if (!k.killed && k.code !== null && k.code >= 2) problems.push(`${t.name} failed on its own before the kill point: exit ${k.code}: ${k.stderr.trim().split('\n').slice(-3).join(' | ')}`)
  const inside = watch === dir || watch.startsWith(dir + '/')
  const temps = k.killed ? tempFiles(dir) + (inside ? 0 : tempFiles(watch)) : 0
  const label = (ps: string[], when: string) => ps.map((p) => `${when}: ${p}`)
  problems.push(...label(await t.afterKill(dir).catch((e) => [`check crashed: ${(e as Error).stack}`]), 'after the kill'))
  problems.push(...label(await t.converge(dir, r).catch((e) => [`check crashed: ${(e as Error).stack}`]), 'after the rerun'))
  if (!problems.length && !keep) await fsp.rm(dir, { recursive: true, force: true })
  const killedAt = k.killed ? (plan.by === 'records' ? ` (at record ${k.records})` : plan.by === 'bytes' ? ` (at +${k.grown} bytes)` : '') : ' (finished first)'
  return { target: t.name, seed, plan: describePlan(plan) + killedAt, note, killed: k.killed, temps, problems, ms: Date.now() - t0, dir }
}

export function formatResult(res: TrialResult): string {
  const head = `${res.problems.length ? 'FAIL' : 'ok  '} ${res.target} seed=${res.seed} ${res.plan}${res.temps ? `, ${res.temps} temp file(s) left` : ''}; ${res.note} (${(res.ms / 1000).toFixed(1)} s)`
  return res.problems.length ? [head, ...res.problems.map((p) => `     ${p}`), `     files kept in ${res.dir}`].join('\n') : head
}
