/**
 * What clara-runs says of one run, from its manifest (and, for a run without one, nothing but its
 * id): status, what its selection covers, units, bytes, new bytes, failures, age, per-domain numbers.
 */
import type { RunEntry, RunSet } from '@clara/shared/run-set'
import { selectionLimit } from '@clara/shared/run-set'

export type RunStatus = 'complete' | 'partial' | 'incomplete' | 'unfinished' | 'unreadable'

export interface DomainFacts {
  units: number
  bytes: number
  new_bytes: number
  failures: number
}

export interface RunFacts {
  id: string
  time: Date
  status: RunStatus
  /** `full`, or how the selection leaves part of the install out (`--domains db,infra`) */
  selection: string
  units: number | null
  bytes: number | null
  new_bytes: number | null
  failures: number | null
  latest: boolean
  pinned: boolean
  domains: Record<string, DomainFacts>
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

function statusOf(r: RunEntry): RunStatus {
  if (!r.finished) return 'unfinished'
  if (!r.manifest) return 'unreadable'
  const s = r.manifest.status
  return s === 'complete' || s === 'partial' || s === 'incomplete' ? s : 'unreadable'
}

export function runFacts(r: RunEntry, latest: string | null, usual?: string[] | null): RunFacts {
  const m = r.manifest
  const domains: Record<string, DomainFacts> = {}
  for (const [dir, d] of Object.entries(m?.domains ?? {})) {
    const x = (d ?? {}) as Record<string, unknown>
    domains[dir] = { units: num(x.units), bytes: num(x.bytes), new_bytes: num(x.new_bytes ?? x.bytes), failures: num(x.failures) }
  }
  const t = (m?.totals ?? null) as Record<string, unknown> | null
  return {
    id: r.id,
    time: r.time,
    status: statusOf(r),
    selection: m ? (selectionLimit(m, usual) ?? 'full') : 'unknown',
    units: t ? num(t.units) : null,
    bytes: t ? num(t.bytes) : null,
    new_bytes: t ? num(t.new_bytes ?? t.bytes) : null,
    failures: t ? num(t.failures) : null,
    latest: r.id === latest,
    pinned: r.pinned,
    domains,
  }
}

/** Every run of the set, oldest first. */
export function allFacts(set: RunSet): RunFacts[] {
  return set.runs.map((r) => runFacts(r, set.latest, set.usual))
}

/** `3d 4h`, `5h 10m`, `12m`, `40s`: how long ago. */
export function fmtAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const d = Math.floor(s / 86_400)
  const h = Math.floor((s % 86_400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d) return `${d}d ${h}h`
  if (h) return `${h}h ${m}m`
  return m ? `${m}m` : `${s}s`
}
