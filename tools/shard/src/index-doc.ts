/**
 * `<out>/index.json` and `<out>/failures.json`: documents listing every archive of the domain.
 * Each clara-shard call owns one group (a shard prefix or a single archive's name) and replaces
 * only that group's entries, so two calls (the two snapshots) merge into one index.
 */
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { acquireLock } from '@clara/shared/lock'
import { readJson } from '@clara/shared/read-json'
import type { Compression } from './compression.js'

export interface ShardEntry {
  name: string
  group: string
  /** relative to the domain directory */
  path: string
  compression: Compression
  sample_savings?: number
  size_bytes: number
  sha256: string
  files: number
  entries: number
  bytes: number
  first_path: string | null
  last_path: string | null
  members_path: string
  members_sha256: string
  fingerprint: string
  reused: boolean
}

export interface GroupInfo {
  kind: 'shards' | 'single'
  roots: string[]
  missing_roots: string[]
  restore_to?: string
  compress: string
  shard_size_bytes?: number
  reports: Record<string, number>
  failures: number
  updated_at: string
}

export interface FailureEntry {
  group: string
  unit: string
  during: string
  item: string
  message: string
  code?: string
}

export interface IndexDoc {
  version: 1
  tool: 'clara-shard'
  domain: string
  updated_at: string
  groups: Record<string, GroupInfo>
  shards: ShardEntry[]
  totals: { shards: number; files: number; bytes: number; size_bytes: number; reused: number }
  reports: Record<string, number>
}

function build(domain: string, groups: Record<string, GroupInfo>, shards: ShardEntry[]): IndexDoc {
  shards.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const sum = (f: (s: ShardEntry) => number) => shards.reduce((n, s) => n + f(s), 0)
  const reports: Record<string, number> = {}
  for (const g of Object.values(groups)) for (const [k, v] of Object.entries(g.reports)) reports[k] = (reports[k] ?? 0) + v
  const sorted = Object.fromEntries(Object.entries(groups).sort(([a], [b]) => (a < b ? -1 : 1)))
  return {
    version: 1,
    tool: 'clara-shard',
    domain,
    updated_at: new Date().toISOString(),
    groups: sorted,
    shards,
    totals: { shards: shards.length, files: sum((s) => s.files), bytes: sum((s) => s.bytes), size_bytes: sum((s) => s.size_bytes), reused: sum((s) => (s.reused ? 1 : 0)) },
    reports,
  }
}

/** Replace one group's entries in index.json and failures.json (read-modify-write under a lock, atomic writes). */
export async function updateIndex(outDir: string, domain: string, group: string, info: GroupInfo, shards: ShardEntry[], failures: FailureEntry[]): Promise<IndexDoc> {
  const lock = await acquireLock(path.join(outDir, '.index.lock'), { staleMs: 60_000 })
  try {
    const old = await readJson<IndexDoc>(path.join(outDir, 'index.json'))
    const groups = { ...(old?.groups ?? {}), [group]: info }
    const kept = (old?.shards ?? []).filter((s) => s.group !== group)
    const doc = build(domain, groups, [...kept, ...shards])
    const oldF = await readJson<{ failures?: FailureEntry[] }>(path.join(outDir, 'failures.json'))
    const allF = [...(oldF?.failures ?? []).filter((f) => f.group !== group), ...failures]
    await writeJsonAtomic(path.join(outDir, 'index.json'), doc)
    await writeJsonAtomic(path.join(outDir, 'failures.json'), { version: 1, domain, failures: allF })
    return doc
  } finally {
    await lock.release()
  }
}
