/** manifest.json: the run's identity and per-domain totals, read back from the domains' own indexes. */
import fs, { promises as fsp } from 'node:fs'
import path from 'node:path'
import { indexEntries, unitKey, type IndexEntry } from '@clara/shared/run-index'
import type { Domain } from './domains.js'

export interface DomainTotals {
  units: number
  bytes: number
  failures: number
  /** units whose every artifact is the previous run's file (hard link: same inode) */
  reused: number
  /** bytes of artifacts that are not links to the previous run's files: the disk this run cost */
  new_bytes: number
  /** the run this domain was hard-linked from whole: its inputs were unchanged since */
  reused_from?: string
  /** wall seconds its script took in this invocation (absent: it did not run now, e.g. kept from before a resume) */
  seconds?: number
  /** units left out on purpose (secret units of a run that does not encrypt), by name: index.json `not_stored` */
  not_stored?: string[]
  /** the domain's script ended abnormally (exit ≥ 2) */
  incomplete?: boolean
  exit_code?: number | null
}

export interface Selection {
  only: string[]
  skip: string[]
  text_types: string | null
  domains: string[]
  /** the run covers the whole install: no --only or --skip, and every default domain (clara-prune counts only such runs) */
  full: boolean
}

/**
 * A rerun into a run that has a manifest (--resume RUN --domains db) adds to what the run covers: the
 * domains of both. A run that was full stays full (its other units stay); otherwise the --only/--skip
 * lists of both are kept, and it becomes full only when neither had any and the domains now cover all.
 */
export function mergeSelection(earlier: Partial<Selection> | undefined, now: Selection, full: (domains: string[]) => boolean): Selection {
  if (!earlier || !Array.isArray(earlier.domains)) return now
  const domains = [...new Set([...earlier.domains, ...now.domains])]
  const union = (a: string[] | undefined, b: string[]) => [...new Set([...(a ?? []), ...b])]
  const wasFull = earlier.full ?? (!earlier.only?.length && !earlier.skip?.length && full(earlier.domains))
  const only = wasFull ? [] : union(earlier.only, now.only)
  const skip = wasFull ? [] : union(earlier.skip, now.skip)
  return { only, skip, text_types: earlier.text_types ?? now.text_types, domains, full: wasFull || (only.length === 0 && skip.length === 0 && full(domains)) }
}

export interface Manifest {
  version: 1
  run_id: string
  started_at: string
  finished_at: string
  toolkit_version: string
  host: string
  clara: string
  app_commit: string | null
  resumed: boolean
  incremental_from: string | null
  selection: Selection
  domains: Record<string, DomainTotals>
  totals: { units: number; bytes: number; failures: number; reused: number; new_bytes: number }
  status: 'complete' | 'partial' | 'incomplete'
}

export async function readJson(file: string): Promise<any> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'))
  } catch {
    return null
  }
}

/** An entry's path is relative to its domain folder (most tools) or to the run (db, infra). */
function entryFile(runDir: string, d: Domain, e: IndexEntry): string | null {
  if (!e.path) return null
  for (const f of [path.join(runDir, d.dir, e.path), path.join(runDir, e.path)]) {
    if (fs.lstatSync(f, { throwIfNoEntry: false })?.isFile()) return f
  }
  return null
}

/** The inode of `file` and of the same path in `prevRun`, equal when the run hard-linked it. */
function linkedFromPrev(runDir: string, prevRun: string, file: string): boolean {
  const a = fs.statSync(file, { throwIfNoEntry: false })
  const b = fs.statSync(path.join(prevRun, path.relative(runDir, file)), { throwIfNoEntry: false })
  return Boolean(a && b && a.ino === b.ino && a.dev === b.dev)
}

/**
 * Count units, bytes, failures and reuse of one domain from its index.json and failures.json.
 * Synchronous stats: a few µs each, against a thread-pool round trip for each of a run's files.
 */
export async function domainTotals(runDir: string, d: Domain, prevRun: string | null): Promise<DomainTotals> {
  const dir = path.join(runDir, d.dir)
  const doc = await readJson(path.join(dir, 'index.json'))
  const entries = indexEntries(doc)
  const units = new Map<string, boolean>()
  let bytes = 0
  let newBytes = 0
  for (const e of entries) {
    const size = Number(e.size_bytes) || 0
    bytes += size
    const file = entryFile(runDir, d, e)
    const linked = Boolean(prevRun && file && linkedFromPrev(runDir, prevRun, file))
    if (!linked) newBytes += size
    const key = unitKey(e)
    units.set(key, (units.get(key) ?? true) && linked)
  }
  const f = await readJson(path.join(dir, 'failures.json'))
  const failures = Array.isArray(f?.failures) ? f.failures.length : Array.isArray(f) ? f.length : 0
  const reused = [...units.values()].filter(Boolean).length
  const notStored: string[] = Array.isArray(doc?.not_stored) ? doc.not_stored.map((n: { unit?: unknown }) => String(n?.unit)) : []
  return { units: units.size, bytes, failures, reused, new_bytes: newBytes, ...(notStored.length ? { not_stored: notStored } : {}) }
}

export function totalsOf(domains: Record<string, DomainTotals>): Manifest['totals'] {
  const t = { units: 0, bytes: 0, failures: 0, reused: 0, new_bytes: 0 }
  for (const d of Object.values(domains)) {
    t.units += d.units
    t.bytes += d.bytes
    // an incomplete domain's failures.json holds an entry saying so (run.ts); at least one even if it could not be written
    t.failures += d.incomplete ? Math.max(d.failures, 1) : d.failures
    t.reused += d.reused
    t.new_bytes += d.new_bytes
  }
  return t
}
