/**
 * What the report needs beyond the manifests: each run's failures (its merged failures.json) and,
 * per project (index entries with a project_id), the newest run that holds it without a failure.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { readJson } from '@clara/shared/read-json'
import { readIndexEntries, type IndexEntry } from '@clara/shared/run-index'
import type { RunFacts } from './run-facts.js'

export interface RunFailure {
  domain: string
  unit: string
  message: string
}

export interface ProjectBackup {
  project: string
  title: string | null
  /** the newest run holding the project with no failure of it, or null */
  last_good: string | null
  /** the domains that run holds it in */
  domains: string[]
  /** the newest run that failed the project, when it is newer than its last good backup */
  newer_failure: { run: string; message: string } | null
}

/** The failures of a run's failures.json (none when missing or unreadable). */
export async function runFailures(runDir: string): Promise<RunFailure[]> {
  const doc = await readJson<{ failures?: unknown }>(path.join(runDir, 'failures.json')).catch(() => null)
  const list = Array.isArray(doc?.failures) ? (doc.failures as Record<string, unknown>[]) : []
  return list.map((f) => ({ domain: String(f.domain ?? ''), unit: String(f.unit ?? f.item ?? ''), message: String(f.message ?? '') }))
}

async function domainDirs(runDir: string): Promise<string[]> {
  const ents = await fsp.readdir(runDir, { withFileTypes: true }).catch(() => [])
  return ents.filter((e) => e.isDirectory()).map((e) => e.name).sort()
}

/** The title a unit's metadata.json records, if any (the entry's path is relative to its domain or to the run). */
async function titleOf(runDir: string, domain: string, e: IndexEntry): Promise<string | null> {
  const rel = path.dirname(String(e.path ?? ''))
  for (const dir of [path.join(runDir, domain, rel), path.join(runDir, rel)]) {
    const meta = await readJson<{ title?: unknown }>(path.join(dir, 'metadata.json')).catch(() => null)
    if (meta && typeof meta.title === 'string') return meta.title
  }
  return null
}

interface Seen {
  domains: Map<string, IndexEntry>
}

/** The projects of one run: project id → the domains (and an entry of each) that hold it. */
async function projectsOf(runDir: string): Promise<Map<string, Seen>> {
  const out = new Map<string, Seen>()
  for (const d of await domainDirs(runDir)) {
    for (const e of await readIndexEntries(runDir, d)) {
      if (e.project_id === undefined || e.project_id === null) continue
      const id = String(e.project_id)
      const s = out.get(id) ?? { domains: new Map() }
      if (!s.domains.has(d)) s.domains.set(d, e)
      out.set(id, s)
    }
  }
  return out
}

/** Every project seen in any finished run, with its last good backup; by project id. */
export async function projectBackups(root: string, runs: RunFacts[], failures: Map<string, RunFailure[]>): Promise<ProjectBackup[]> {
  const out = new Map<string, ProjectBackup>()
  for (const r of [...runs].reverse()) {
    if (r.status === 'unfinished' || r.status === 'unreadable') continue
    const dir = path.join(root, r.id)
    const failed = new Map<string, string>()
    for (const f of failures.get(r.id) ?? []) if (!failed.has(f.unit)) failed.set(f.unit, `${f.domain}: ${f.message}`)
    for (const [id, seen] of await projectsOf(dir)) {
      const p = out.get(id) ?? { project: id, title: null, last_good: null, domains: [], newer_failure: null }
      out.set(id, p)
      if (p.last_good) continue
      const why = failed.get(id)
      if (why) {
        p.newer_failure ??= { run: r.id, message: why }
        continue
      }
      p.last_good = r.id
      p.domains = [...seen.domains.keys()]
      for (const [domain, entry] of seen.domains) p.title ??= await titleOf(dir, domain, entry)
    }
  }
  return [...out.values()].sort((a, b) => a.project.localeCompare(b.project, 'en', { numeric: true }))
}
