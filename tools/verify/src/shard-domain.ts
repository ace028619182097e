/**
 * Domains written by clara-shard (audio_cache, snapshots): tar shards with `.members.ndjson`
 * listings, listed in index.json; plus audio_cache/orm_db/ (copied SQLite files described by
 * db_metadata.json).
 */
import path from 'node:path'
import { readRegular } from '@clara/shared/artifact-file'
import { sha256 } from '@clara/shared/hash'
import { fieldBytes, readableName } from '@clara/shared/names'
import { crossCheck, readIndex, type IndexEntry, type Recorded } from './index-check.js'
import { listFiles } from './disk.js'
import { readJson } from './json-file.js'
import { insideRun, kindOf, newUnit, runRel, type Artifact, type MemberExpect, type Unit } from './model.js'
import type { DomainScan } from './domain-scan.js'
import { memberKey } from './member-name.js'
import { shardTargetProblem } from './targets.js'

const DOCS = new Set(['index.json', 'failures.json', 'reports.ndjson'])
const ORM_DB = 'orm_db'

/** Parse a `.members.ndjson` listing (closed by its `end` record) into member expectations, keyed by their names' exact bytes. */
export function parseListing(text: string): { members: Map<string, MemberExpect>; problem?: string } {
  const members = new Map<string, MemberExpect>()
  const lines = text.split('\n').filter((l) => l.length)
  let ended = false
  for (const [i, line] of lines.entries()) {
    let r: any
    try {
      r = JSON.parse(line)
    } catch {
      return { members, problem: `line ${i + 1} is not JSON` }
    }
    if (r?.type === 'end') {
      ended = r.count === members.size && i === lines.length - 1
      if (!ended) return { members, problem: `end record at line ${i + 1} does not close the listing (count ${r.count}, ${members.size} members)` }
    } else if (r?.type === 'member' && typeof r.path === 'string') {
      const bytes = fieldBytes(r.path, r.path_b64)
      const x: MemberExpect = { name: readableName(bytes), size: Number(r.size), sha256: r.sha256, kind: r.kind }
      if (r.kind === 'symlink' && typeof r.target === 'string') x.target = fieldBytes(r.target, r.target_b64)
      members.set(memberKey(bytes), x)
    }
  }
  return ended ? { members } : { members, problem: 'no end record (truncated)' }
}

async function shardUnit(runDir: string, domain: string, e: IndexEntry): Promise<Unit> {
  const name = String(e.raw.name ?? path.posix.basename(e.rel))
  const unit = newUnit(domain, name, e.raw)
  const art: Artifact = {
    domain, unit: name, rel: e.rel, abs: path.join(runDir, e.rel), size: e.size, sha256: e.sha256,
    kind: kindOf(e.rel), encrypted: e.rel.endsWith('.age'), files: Number.isSafeInteger(e.raw.files) ? e.raw.files : undefined,
  }
  unit.artifacts.push(art)
  if (typeof e.raw.members_path !== 'string') return unit
  const lrel = runRel(domain, e.raw.members_path)
  art.membersFrom = lrel
  const text = insideRun(lrel) ? await readRegular(path.join(runDir, lrel)).catch(() => null) : null // a FIFO in its place: missing, never a hang
  if (!text) {
    unit.problems.push(`member listing ${lrel} is missing`)
    return unit
  }
  if (typeof e.raw.members_sha256 === 'string' && sha256(text) !== e.raw.members_sha256) unit.problems.push(`member listing ${lrel}: sha256 differs from index.json`)
  const l = parseListing(text.toString('utf8'))
  if (l.problem) unit.problems.push(`member listing ${lrel}: ${l.problem}`)
  art.members = l.members
  return unit
}

/** audio_cache/orm_db/: each copied SQLite file against db_metadata.json. */
async function ormDbUnit(runDir: string, domain: string): Promise<Unit | null> {
  const dir = path.join(runDir, domain, ORM_DB)
  const files = await listFiles(dir)
  const m = await readJson(path.join(dir, 'db_metadata.json'))
  if (!files.length && !m.ok && m.missing) return null
  const unit = newUnit(domain, ORM_DB, m.ok ? m.doc : undefined)
  if (!m.ok) unit.problems.push(`${ORM_DB}/db_metadata.json ${m.message}`)
  const listed = new Set(['db_metadata.json'])
  for (const f of m.ok && Array.isArray(m.doc.files) ? m.doc.files : []) {
    if (!f?.present) continue
    const rel = `${domain}/${ORM_DB}/${f.stored_name ?? f.name}`
    listed.add(path.posix.basename(rel))
    unit.artifacts.push({ domain, unit: ORM_DB, rel, abs: path.join(runDir, rel), size: Number(f.size_bytes), sha256: String(f.sha256), kind: 'sqlite', encrypted: rel.endsWith('.age') })
  }
  for (const f of files) if (!listed.has(f)) unit.problems.push(`${ORM_DB}/${f}: not described by db_metadata.json`)
  return unit
}

/** Scan a shard domain. */
export async function scanShardDomain(runDir: string, domain: string): Promise<DomainScan> {
  const index = await readIndex(runDir, domain)
  const idx = await readJson(path.join(runDir, domain, 'index.json'))
  const units: Unit[] = []
  const recorded = new Map<string, Recorded>()
  const listings = new Set<string>()
  const groups = idx.ok ? idx.doc.groups : undefined
  for (const e of index.entries ?? []) {
    const u = await shardUnit(runDir, domain, e)
    const why = shardTargetProblem(domain, groups?.[String(e.raw.group)]?.restore_to)
    if (why) u.problems.push(why)
    units.push(u)
    recorded.set(e.rel, { size: e.size, sha256: e.sha256, unit: u.name })
    if (typeof e.raw.members_path === 'string') listings.add(runRel(domain, e.raw.members_path))
  }
  const onDisk = new Set<string>()
  const problems = [...index.problems]
  for (const f of await listFiles(path.join(runDir, domain))) {
    const rel = `${domain}/${f}`
    if (DOCS.has(f) || f.startsWith(`${ORM_DB}/`) || path.posix.basename(f).startsWith('.')) continue
    if (f.endsWith('.members.ndjson')) {
      if (!listings.has(rel)) problems.push(`${rel}: a member listing no shard in index.json names`)
    } else onDisk.add(rel)
  }
  if (index.entries) problems.push(...crossCheck(index.entries, recorded, onDisk))
  const orm = await ormDbUnit(runDir, domain)
  if (orm) units.push(orm)
  return { domain, kind: 'shards', units, indexEntries: index.entries, indexProblems: problems, groups: idx.ok ? idx.doc.groups : undefined }
}
