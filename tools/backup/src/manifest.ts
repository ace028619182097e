/** manifest.json: the run's identity and per-domain totals, read back from the domains' own indexes. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Domain } from './domains.js'

export interface DomainTotals {
  units: number
  bytes: number
  failures: number
  /** the domain's script ended abnormally (exit ≥ 2) */
  incomplete?: boolean
  exit_code?: number
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
  domains: Record<string, DomainTotals>
  totals: { units: number; bytes: number; failures: number }
  status: 'complete' | 'partial' | 'incomplete'
}

async function readJson(file: string): Promise<any> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'))
  } catch {
    return null
  }
}

/** The entries of an index.json, whatever list name the domain uses. */
export function indexEntries(doc: any): { size_bytes?: number; unit?: string; name?: string; project_id?: unknown }[] {
  if (!doc) return []
  for (const key of ['entries', 'shards', 'files', 'dumps']) if (Array.isArray(doc[key])) return doc[key]
  return Array.isArray(doc) ? doc : []
}

/** Count units, bytes and failures of one domain from its index.json and failures.json. */
export async function domainTotals(runDir: string, d: Domain): Promise<DomainTotals> {
  const dir = path.join(runDir, d.dir)
  const entries = indexEntries(await readJson(path.join(dir, 'index.json')))
  const units = new Set(entries.map((e) => String(e.unit ?? e.project_id ?? e.name ?? JSON.stringify(e))))
  const bytes = entries.reduce((s, e) => s + (Number(e.size_bytes) || 0), 0)
  const f = await readJson(path.join(dir, 'failures.json'))
  const failures = Array.isArray(f?.failures) ? f.failures.length : Array.isArray(f) ? f.length : 0
  return { units: units.size, bytes, failures }
}

export function totalsOf(domains: Record<string, DomainTotals>): Manifest['totals'] {
  const t = { units: 0, bytes: 0, failures: 0 }
  for (const d of Object.values(domains)) {
    t.units += d.units
    t.bytes += d.bytes
    t.failures += d.failures + (d.incomplete ? 1 : 0)
  }
  return t
}
