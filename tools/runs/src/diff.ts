/**
 * `clara-runs diff RUN_A RUN_B`: per domain, the units added, removed and changed (an artifact's
 * sha256 differs) from A to B; and, from the database dumps' metadata (each table's row count and
 * content hash, as clara-pgdump records them), the tables whose row count or content changed.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { readIndexEntries, unitKey, type IndexEntry } from '@clara/shared/run-index'

export type UnitChange = {
  type: 'unit_diff'
  domain: string
  unit: string
  change: 'added' | 'removed' | 'changed'
  bytes_a: number | null
  bytes_b: number | null
}

export type DomainChange = {
  type: 'domain_diff'
  domain: string
  added: number
  removed: number
  changed: number
  unchanged: number
}

export type RowChange = {
  type: 'row_diff'
  table: string
  rows_a: number | null
  rows_b: number | null
  delta: number
  /** same row count, different content hash */
  content_changed: boolean
}

/** A dump's entry (it has a metadata file) stands for the database, whatever its timestamped name. */
const DATABASE = 'database'
const keyOf = (e: IndexEntry) => (e.metadata ? DATABASE : unitKey(e))

interface UnitSig {
  bytes: number
  sums: string
}

async function domainsOf(runDir: string): Promise<string[]> {
  const out: string[] = []
  for (const e of await fsp.readdir(runDir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory() && (await fsp.access(path.join(runDir, e.name, 'index.json')).then(() => true, () => false))) out.push(e.name)
  }
  return out
}

async function unitsOf(runDir: string, domain: string): Promise<Map<string, UnitSig>> {
  const acc = new Map<string, { bytes: number; sums: string[] }>()
  for (const e of await readIndexEntries(runDir, domain)) {
    const k = keyOf(e)
    const u = acc.get(k) ?? { bytes: 0, sums: [] }
    u.bytes += Number(e.size_bytes) || 0
    u.sums.push(String(e.sha256 ?? ''))
    acc.set(k, u)
  }
  return new Map([...acc].map(([k, u]) => [k, { bytes: u.bytes, sums: u.sums.sort().join(',') }]))
}

/** Units added, removed and changed per domain, in domain and unit order. */
export async function unitDiff(a: string, b: string): Promise<{ units: UnitChange[]; domains: DomainChange[] }> {
  const units: UnitChange[] = []
  const domains: DomainChange[] = []
  for (const domain of [...new Set([...(await domainsOf(a)), ...(await domainsOf(b))])].sort()) {
    const ua = await unitsOf(a, domain)
    const ub = await unitsOf(b, domain)
    const d: DomainChange = { type: 'domain_diff', domain, added: 0, removed: 0, changed: 0, unchanged: 0 }
    const keys = [...new Set([...ua.keys(), ...ub.keys()])].sort((x, y) => x.localeCompare(y, 'en', { numeric: true }))
    for (const unit of keys) {
      const x = ua.get(unit)
      const y = ub.get(unit)
      const change = !x ? 'added' : !y ? 'removed' : x.sums !== y.sums ? 'changed' : null
      if (!change) {
        d.unchanged++
        continue
      }
      d[change]++
      units.push({ type: 'unit_diff', domain, unit, change, bytes_a: x?.bytes ?? null, bytes_b: y?.bytes ?? null })
    }
    domains.push(d)
  }
  return { units, domains }
}

type Tables = Record<string, { rows?: number; sha256?: string }>

/** The tables of the run's newest database dump, from its metadata file; null when there is none readable. */
export async function dumpTables(runDir: string): Promise<Tables | null> {
  const dumps: IndexEntry[] = []
  for (const d of await domainsOf(runDir)) dumps.push(...(await readIndexEntries(runDir, d)).filter((e) => e.metadata))
  const newest = dumps.sort((x, y) => String(x.path).localeCompare(String(y.path))).at(-1)
  if (!newest) return null
  try {
    const meta = JSON.parse(await fsp.readFile(path.join(runDir, String(newest.metadata)), 'utf8'))
    return meta?.tables && typeof meta.tables === 'object' ? (meta.tables as Tables) : null
  } catch {
    return null
  }
}

/** Tables whose row count or content changed from A to B. */
export function rowDiff(a: Tables, b: Tables): RowChange[] {
  const out: RowChange[] = []
  for (const table of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[table]
    const y = b[table]
    const ra = typeof x?.rows === 'number' ? x.rows : null
    const rb = typeof y?.rows === 'number' ? y.rows : null
    const contentChanged = ra === rb && x?.sha256 !== y?.sha256
    if (ra === rb && !contentChanged) continue
    out.push({ type: 'row_diff', table, rows_a: ra, rows_b: rb, delta: (rb ?? 0) - (ra ?? 0), content_changed: contentChanged })
  }
  return out
}
