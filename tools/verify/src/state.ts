/**
 * RUN/verify_state.json: when each artifact was last re-hashed and whether it held, so a sample
 * takes the artifacts verified longest ago (or never, or failing last time) first. The only file
 * clara-verify writes, atomically.
 */
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { readJson } from './json-file.js'

export const STATE_FILE = 'verify_state.json'

export interface ArtifactState {
  sha256: string
  verified_at: string
  ok: boolean
  level: string
}

export interface VerifyState {
  version: 1
  updated_at: string
  artifacts: Record<string, ArtifactState>
}

export async function loadState(runDir: string): Promise<VerifyState> {
  const r = await readJson<VerifyState>(path.join(runDir, STATE_FILE))
  if (r.ok && r.doc?.version === 1 && r.doc.artifacts && typeof r.doc.artifacts === 'object') return r.doc
  return { version: 1, updated_at: new Date(0).toISOString(), artifacts: {} }
}

export async function saveState(runDir: string, state: VerifyState, now: Date): Promise<void> {
  state.updated_at = now.toISOString()
  const sorted = Object.fromEntries(Object.entries(state.artifacts).sort(([a], [b]) => (a < b ? -1 : 1)))
  await writeJsonAtomic(path.join(runDir, STATE_FILE), { ...state, artifacts: sorted }, { mode: 0o640 })
}

/** A small seeded generator (mulberry32): the same seed gives the same sample. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Choose `percent`% of the artifacts (at least one when there are any): failed last time first,
 * then never verified, then the oldest verification; ties in seeded random order.
 */
export function sample<T extends { rel: string; sha256: string }>(items: T[], percent: number, state: VerifyState, seed: number): T[] {
  const n = percent <= 0 ? 0 : Math.min(items.length, Math.max(1, Math.ceil((items.length * percent) / 100)))
  const rnd = seeded(seed)
  const keyed = items.map((it) => {
    const s = state.artifacts[it.rel]
    const valid = s && s.sha256 === it.sha256
    const rank = !valid ? 1 : s.ok ? 2 : 0
    return { it, rank, at: valid ? Date.parse(s.verified_at) || 0 : 0, r: rnd() }
  })
  keyed.sort((a, b) => a.rank - b.rank || a.at - b.at || a.r - b.r)
  return keyed.slice(0, n).map((k) => k.it)
}
