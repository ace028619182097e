/**
 * Test helpers (tests only) for backup run directories: build synthetic runs, incremental ones
 * sharing unchanged files by hard links, and check that a run still verifies (every index entry's
 * file exists with its recorded size and sha256).
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { sha256, hashFile } from './hash.js'
import { mergeFailures } from './run-failures.js'
import { parseRunId, type RunManifest } from './run-set.js'

export interface MakeRunOptions {
  /** files by path relative to the run dir (`<domain>/…`); index.json per domain is generated */
  files: Record<string, string | Buffer>
  /** hard-link every file whose bytes equal the same path in this earlier run */
  linkFrom?: string
  /** false: no manifest (an unfinished run); otherwise fields merged over a clean manifest */
  manifest?: false | Partial<RunManifest>
  /** write a `keep` pin */
  keep?: boolean
}

interface Entry {
  path: string
  size_bytes: number
  sha256: string
}

async function putFile(dir: string, rel: string, data: Buffer, linkFrom?: string): Promise<void> {
  const dest = path.join(dir, rel)
  await fsp.mkdir(path.dirname(dest), { recursive: true, mode: 0o750 })
  if (linkFrom) {
    const prev = path.join(linkFrom, rel)
    const old = await fsp.readFile(prev).catch(() => null)
    if (old && old.equals(data)) return fsp.link(prev, dest)
  }
  await fsp.writeFile(dest, data, { mode: 0o640 })
}

/** Create `<root>/<id>/` with the given files, per-domain index.json and (by default) a manifest. */
export async function makeRun(root: string, id: string, opts: MakeRunOptions): Promise<string> {
  const dir = path.join(root, id)
  await fsp.mkdir(dir, { recursive: true, mode: 0o750 })
  const byDomain = new Map<string, Entry[]>()
  for (const [rel, body] of Object.entries(opts.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body)
    await putFile(dir, rel, data, opts.linkFrom && path.join(root, opts.linkFrom))
    const domain = rel.split('/')[0]
    if (!byDomain.has(domain)) byDomain.set(domain, [])
    if (path.basename(rel) !== 'metadata.json') byDomain.get(domain)!.push({ path: rel, size_bytes: data.length, sha256: sha256(data) })
  }
  const domains: Record<string, { units: number; bytes: number; failures: number }> = {}
  for (const [domain, entries] of byDomain) {
    await fsp.writeFile(path.join(dir, domain, 'index.json'), JSON.stringify({ version: 1, domain, entries }, null, 2) + '\n', { mode: 0o640 })
    domains[domain] = { units: entries.length, bytes: entries.reduce((n, e) => n + e.size_bytes, 0), failures: 0 }
  }
  if (opts.keep) await fsp.writeFile(path.join(dir, 'keep'), 'pinned by a test\n')
  if (opts.manifest === false) return dir
  const totals = Object.values(domains).reduce((t, d) => ({ units: t.units + d.units, bytes: t.bytes + d.bytes, failures: 0 }), { units: 0, bytes: 0, failures: 0 })
  const manifest = { version: 1, run_id: id, status: 'complete', domains, totals, ...(opts.manifest ?? {}) }
  await fsp.writeFile(path.join(dir, 'failures.json'), JSON.stringify({ version: 1, failures: [] }, null, 2) + '\n', { mode: 0o640 })
  await fsp.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o640 })
  return dir
}

/** Point `<root>/latest` at `id` (relative symlink). */
export async function setLatest(root: string, id: string): Promise<void> {
  const tmp = path.join(root, '.latest.tmp')
  await fsp.rm(tmp, { force: true })
  await fsp.symlink(id, tmp)
  await fsp.rename(tmp, path.join(root, 'latest'))
}

export interface RunCheck {
  ok: boolean
  /** index entries checked */
  checked: number
  problems: string[]
}

/** Re-hash every entry of every `<domain>/index.json` of a run against its recorded size and sha256. */
export async function verifyRun(runDir: string): Promise<RunCheck> {
  const res: RunCheck = { ok: true, checked: 0, problems: [] }
  for (const d of await fsp.readdir(runDir, { withFileTypes: true })) {
    if (!d.isDirectory()) continue
    const text = await fsp.readFile(path.join(runDir, d.name, 'index.json'), 'utf8').catch(() => null)
    if (text === null) continue
    for (const e of (JSON.parse(text).entries ?? []) as Entry[]) {
      res.checked++
      const st = await fsp.lstat(path.join(runDir, e.path)).catch(() => null)
      if (!st || !st.isFile()) res.problems.push(`${e.path}: missing`)
      else if (st.size !== e.size_bytes) res.problems.push(`${e.path}: size ${st.size} != ${e.size_bytes}`)
      else if ((await hashFile(path.join(runDir, e.path))).sha256 !== e.sha256) res.problems.push(`${e.path}: sha256 differs`)
    }
  }
  res.ok = res.problems.length === 0
  return res
}

export interface BackupRunOptions {
  files: Record<string, string | Buffer>
  linkFrom?: string
  /** failures by domain folder: each becomes an entry of `<domain>/failures.json` and the run's */
  failures?: Record<string, { unit: string; step: string; message: string; code?: string }[]>
  /** merged over a full selection (no --only/--skip, every default domain) */
  selection?: Record<string, unknown>
  /** default: partial when there are failures, else complete */
  status?: 'complete' | 'partial' | 'incomplete'
  keep?: boolean
}

const DB_META = /\.db_metadata\.json$/

/**
 * Give a domain's index entries their unit as the domain tools do (`<domain>/<unit>/<file>`: the unit
 * folder, a number also as project_id; `<domain>/<file>`: the file's name). In `db/`, as clara-pgdump's
 * index: a dump's `<stem>.db_metadata.json` is no entry of its own but the dump entry's `metadata`.
 * Returns the entries.
 */
async function addUnits(dir: string, domain: string): Promise<(Entry & { unit: string })[]> {
  const file = path.join(dir, domain, 'index.json')
  const doc = JSON.parse(await fsp.readFile(file, 'utf8')) as { entries: Entry[] }
  const metas = new Set(doc.entries.map((e) => e.path).filter((p) => DB_META.test(p)))
  const entries = doc.entries.filter((e) => !DB_META.test(e.path)).map((e) => {
    const stem = e.path.replace(/\.[^./]+$/, '')
    if (metas.has(`${stem}.db_metadata.json`)) return { name: path.basename(e.path), unit: path.basename(e.path), metadata: `${stem}.db_metadata.json`, ...e }
    const parts = e.path.split('/')
    const unit = parts.length > 2 ? parts[1] : parts[parts.length - 1]
    return /^\d+$/.test(unit) ? { project_id: Number(unit), unit, ...e } : { name: unit, unit, ...e }
  })
  await fsp.writeFile(file, JSON.stringify({ ...doc, entries }, null, 2) + '\n', { mode: 0o640 })
  return entries
}

/** A run's per-domain numbers the way clara-backup's manifest counts them. */
async function domainCounts(dir: string, domain: string, linkFrom: string | undefined, failures: number) {
  const doc = { entries: await addUnits(dir, domain) }
  let bytes = 0
  let newBytes = 0
  let reused = 0
  for (const e of doc.entries) {
    bytes += e.size_bytes
    const a = await fsp.stat(path.join(dir, e.path))
    const b = linkFrom ? await fsp.stat(path.join(linkFrom, e.path)).catch(() => null) : null
    if (b && a.ino === b.ino) reused++
    else newBytes += e.size_bytes
  }
  return { units: new Set(doc.entries.map((e) => e.unit)).size, bytes, failures, reused, new_bytes: newBytes }
}

/**
 * A run folder as clara-backup writes it (tests only): the files with per-domain index.json (entries
 * with their unit, and project_id for a numbered unit folder), each
 * domain's failures.json and the run's merged one, and manifest.json with clara-backup's fields
 * (selection, per-domain units, bytes, failures, reused, new_bytes, totals, status).
 */
export async function makeBackupRun(root: string, id: string, o: BackupRunOptions): Promise<string> {
  const dir = await makeRun(root, id, { files: o.files, linkFrom: o.linkFrom, manifest: false, keep: o.keep })
  const prev = o.linkFrom ? path.join(root, o.linkFrom) : undefined
  const domains: Record<string, Record<string, number>> = {}
  for (const d of [...new Set(Object.keys(o.files).map((f) => f.split('/')[0]))].sort()) {
    const failures = (o.failures?.[d] ?? []).map((f) => ({ code: 'ENOENT', ...f }))
    await fsp.writeFile(path.join(dir, d, 'failures.json'), JSON.stringify({ version: 1, domain: d, failures }, null, 2) + '\n', { mode: 0o640 })
    domains[d] = await domainCounts(dir, d, prev, failures.length)
  }
  const totals = { units: 0, bytes: 0, failures: 0, reused: 0, new_bytes: 0 }
  for (const c of Object.values(domains)) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += c[k]
  const t = parseRunId(id) ?? new Date(0)
  const selection = { only: [], skip: [], text_types: null, domains: ['source', 'compiled', 'legacy', 'db', 'audio', 'media', 'infra'], full: true, ...(o.selection ?? {}) }
  const manifest = {
    version: 1, run_id: id, started_at: t.toISOString(), finished_at: new Date(t.getTime() + 60_000).toISOString(),
    toolkit_version: '0.1.0', host: 'testhost', clara: '/srv/clara', app_commit: null, resumed: false,
    incremental_from: o.linkFrom ?? null, selection, domains, totals,
    status: o.status ?? (totals.failures ? 'partial' : 'complete'),
  }
  await mergeFailures(dir)
  await fsp.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o640 })
  return dir
}
