/** Build and write `<dest>/<domain>/index.json` and `failures.json` from a domain's stream. */
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { readJson } from '@clara/shared/read-json'
import { errorRecord, type ErrorRecord } from '@clara/shared/records'
import type { DomainStream } from './domain-stream.js'
import { existingEntries, existingFailures } from './existing.js'
import { failureOf, failuresDoc, type Failure } from './failures.js'
import { BadArtifact, indexEntry, sortEntries, stillOnDisk, type IndexEntry } from './index-entry.js'

export interface IndexOptions {
  dest: string
  domain: string
  /** ignore an index.json / failures.json already in the domain directory */
  fresh?: boolean
  /** build everything, write nothing */
  dryRun?: boolean
  now?: Date
}

export interface IndexResult {
  entries: IndexEntry[]
  failures: Failure[]
  /** entries that came from this stream */
  indexed: number
  /** failures that came from this stream (its error records, and artifacts that did not check out) */
  failed: number
  /** error records for artifacts that did not check out (step `index`) */
  problems: ErrorRecord[]
  /** entries and failures carried over from the existing files */
  kept: number
  written: boolean
}

/** Entries from the stream's artifacts (by path, last wins), and the artifacts that did not check out. */
async function streamEntries(s: DomainStream, o: IndexOptions, domainDir: string) {
  const byPath = new Map<string, IndexEntry>()
  const problems: ErrorRecord[] = []
  for (const rec of s.artifacts) {
    try {
      const e = await indexEntry(rec, o.dest, domainDir)
      byPath.set(e.path, e)
    } catch (err) {
      if (!(err instanceof BadArtifact)) throw err
      problems.push(errorRecord('index', String(rec.path ?? rec.unit), err, { domain: o.domain, unit: String(rec.unit ?? '') }))
    }
  }
  return { entries: [...byPath.values()], problems }
}

/** Units named by this stream replace their old entries and failures; other units keep theirs if still on disk. */
async function carriedOver(units: Set<string>, domainDir: string) {
  const entries: IndexEntry[] = []
  for (const e of await existingEntries(domainDir)) if (!units.has(String(e.unit)) && (await stillOnDisk(e, domainDir))) entries.push(e)
  const failures = (await existingFailures(domainDir)).filter((f) => !units.has(String(f.unit)))
  return { entries, failures }
}

export async function indexDomain(s: DomainStream, o: IndexOptions): Promise<IndexResult> {
  const domainDir = path.resolve(o.dest, o.domain)
  const fresh = await streamEntries(s, o, domainDir)
  const newFailures = [...s.errors, ...fresh.problems].map((e) => failureOf(e))
  const units = new Set([...s.artifacts.map((a) => String(a.unit)), ...newFailures.map((f) => f.unit), ...s.notStored.map((n) => String(n.unit))])
  const old = o.fresh ? { entries: [], failures: [] } : await carriedOver(units, domainDir)
  const entries = sortEntries([...old.entries, ...fresh.entries])
  const now = o.now ?? new Date()
  const fdoc = failuresDoc(o.domain, [...old.failures, ...newFailures], now)
  const notStored = await notStoredList(s, units, domainDir, o.fresh)
  const written = !o.dryRun
  if (written) {
    await writeJsonAtomic(path.join(domainDir, 'failures.json'), fdoc)
    await writeJsonAtomic(path.join(domainDir, 'index.json'), { version: 1, domain: o.domain, generated_at: now.toISOString(), entries, ...(notStored.length ? { not_stored: notStored } : {}) })
  }
  return {
    entries,
    failures: fdoc.failures,
    indexed: fresh.entries.length,
    failed: newFailures.length,
    problems: fresh.problems,
    kept: old.entries.length + old.failures.length,
    written,
  }
}

export interface NotStored {
  unit: string
  reason: string
  restore_to: string[]
}

/** The units left out on purpose: this stream's, and the earlier index's for units this stream does not mention. */
async function notStoredList(s: DomainStream, units: Set<string>, domainDir: string, fresh?: boolean): Promise<NotStored[]> {
  const now: NotStored[] = s.notStored.map((r) => ({ unit: String(r.unit), reason: String(r.reason ?? ''), restore_to: Array.isArray(r.restore_to) ? r.restore_to.map(String) : [] }))
  const named = new Set([...units, ...now.map((n) => n.unit)])
  const doc = fresh ? null : await readJson<{ not_stored?: unknown }>(path.join(domainDir, 'index.json')).catch(() => null)
  const before = Array.isArray(doc?.not_stored) ? (doc.not_stored as NotStored[]) : []
  return [...before.filter((n) => !named.has(String(n.unit))), ...now].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0))
}
