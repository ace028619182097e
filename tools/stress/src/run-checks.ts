/**
 * "No index.json or manifest lists an artifact that is missing or whose sha256 differs": every
 * domain index (entries and shards, with their member listings), every unit's metadata.json, every
 * dump's db_metadata.json and the audio DB copies, re-hashed against the disk. Also the artifact
 * map of a run (unit by unit, for "equals an uninterrupted run").
 */
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import { hashFile } from '@clara/shared/hash'

export interface Listed {
  /** who lists it (the index or metadata file, run-relative) */
  by: string
  /** the artifact, run-relative */
  path: string
  sha256: string
  size_bytes?: number
}

type Doc = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

async function readJson(file: string): Promise<Doc | null> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new Error(`${file}: ${(err as Error).message}`)
  }
}

/** Index paths are relative to the domain folder (`12/source.zip`) or to the run (`db/x.sqlite3`). */
const inRun = (domain: string, p: string) => (p.startsWith(domain + '/') ? p : `${domain}/${p}`)

function fromIndex(domain: string, doc: Doc): Listed[] {
  const by = `${domain}/index.json`
  const out: Listed[] = []
  for (const e of doc.entries ?? []) out.push({ by, path: inRun(domain, e.path), sha256: e.sha256, size_bytes: e.size_bytes })
  for (const s of doc.shards ?? []) {
    out.push({ by, path: inRun(domain, s.path), sha256: s.sha256, size_bytes: s.size_bytes })
    if (s.members_path) out.push({ by, path: inRun(domain, s.members_path), sha256: s.members_sha256 })
  }
  return out
}

async function fromDomain(run: string, domain: string): Promise<Listed[]> {
  const dir = path.join(run, domain)
  const out: Listed[] = []
  const index = await readJson(path.join(dir, 'index.json'))
  if (index) out.push(...fromIndex(domain, index))
  for (const d of await fsp.readdir(dir, { withFileTypes: true })) {
    if (d.isDirectory()) {
      const meta = await readJson(path.join(dir, d.name, 'metadata.json'))
      for (const a of meta?.archives ?? []) out.push({ by: `${domain}/${d.name}/metadata.json`, path: a.path, sha256: a.sha256, size_bytes: a.size_bytes })
      const dbs = await readJson(path.join(dir, d.name, 'db_metadata.json'))
      // a copy that failed is recorded with its error and no sha256 (a failure of the run, not an artifact)
      for (const f of dbs?.files ?? []) if (f.present && !f.error) out.push({ by: `${domain}/${d.name}/db_metadata.json`, path: `${domain}/${d.name}/${f.name}`, sha256: f.sha256, size_bytes: f.size_bytes })
    } else if (d.name.endsWith('.db_metadata.json')) {
      const m = await readJson(path.join(dir, d.name))
      if (m?.dump) out.push({ by: `${domain}/${d.name}`, path: `${domain}/${m.dump}`, sha256: m.sha256, size_bytes: m.size_bytes })
    }
  }
  return out
}

/** Everything a run's indexes and metadata files list. */
export async function listedArtifacts(run: string): Promise<Listed[]> {
  const out: Listed[] = []
  for (const d of await fsp.readdir(run, { withFileTypes: true }).catch(() => [])) {
    if (d.isDirectory() && !d.name.startsWith('.')) out.push(...(await fromDomain(run, d.name)))
  }
  return out
}

/** One problem per listed artifact that is missing or whose size or sha256 differs. */
export async function checkListed(run: string): Promise<string[]> {
  const problems: string[] = []
  const seen = new Map<string, string>()
  for (const l of await listedArtifacts(run)) {
    const abs = path.join(run, l.path)
    if (!existsSync(abs)) {
      problems.push(`${l.by} lists ${l.path}, which is missing`)
      continue
    }
    const sum = seen.get(l.path) ?? (await hashFile(abs))
    const got = typeof sum === 'string' ? sum : sum.sha256
    seen.set(l.path, got)
    if (got !== l.sha256) problems.push(`${l.by} lists ${l.path} with sha256 ${String(l.sha256).slice(0, 12)}…, the file has ${got.slice(0, 12)}…`)
  }
  return problems
}
