/**
 * Domains of per-unit folders written by clara-zip-unit (`<domain>/<unit>/{*.zip,metadata.json}`):
 * each unit's metadata against its folder, and the domain's index.json against both.
 */
import path from 'node:path'
import { fieldBytes, readableName } from '@clara/shared/names'
import { crossCheck, readIndex, type Recorded } from './index-check.js'
import { listDir, listFiles } from './disk.js'
import { readJson } from './json-file.js'
import { insideRun, kindOf, newUnit, runRel, type Artifact, type MemberExpect, type Unit } from './model.js'
import type { DomainScan } from './domain-scan.js'
import { memberKey } from './member-name.js'
import { specProblems } from './targets.js'

const DOMAIN_FILES = new Set(['index.json', 'failures.json'])

function membersOf(meta: any, archive: string): Map<string, MemberExpect> | undefined {
  if (!Array.isArray(meta.members)) return undefined
  const m = new Map<string, MemberExpect>()
  for (const x of meta.members) {
    if (!x || x.archive !== archive || typeof x.path !== 'string') continue
    const bytes = fieldBytes(x.path, x.path_b64)
    m.set(memberKey(bytes), { name: readableName(bytes), size: Number(x.size), sha256: x.sha256 })
  }
  return m
}

/** One unit folder: its metadata's archives as artifacts, and what does not add up. */
async function readUnit(runDir: string, domain: string, name: string, recorded: Map<string, Recorded>): Promise<Unit | null> {
  const dir = path.join(runDir, domain, name)
  const m = await readJson(path.join(dir, 'metadata.json'))
  const unit = newUnit(domain, name, m.ok ? m.doc : undefined)
  if (!m.ok) {
    unit.problems.push(m.missing ? 'unfinished: no metadata.json' : `metadata.json ${m.message}`)
    return unit
  }
  const meta = m.doc
  if (meta.domain !== undefined && meta.domain !== domain) unit.problems.push(`metadata.json names domain ${meta.domain}`)
  if (meta.unit !== undefined && String(meta.unit) !== name) unit.problems.push(`metadata.json belongs to unit ${meta.unit}`)
  if (!Array.isArray(meta.archives) || meta.archives.length === 0) unit.problems.push('metadata.json lists no archives')
  const known = new Set(['metadata.json'])
  for (const a of Array.isArray(meta.archives) ? meta.archives : []) {
    const rel = typeof a?.path === 'string' ? runRel(domain, a.path) : ''
    if (!rel || !insideRun(rel) || path.posix.dirname(rel) !== `${domain}/${name}`) {
      unit.problems.push(`metadata.json archive ${a?.name ?? '?'} has a bad path ${a?.path}`)
      continue
    }
    known.add(path.posix.basename(rel))
    unit.problems.push(...specProblems(a.restore))
    const art: Artifact = {
      domain, unit: name, rel, abs: path.join(runDir, rel), size: Number(a.size_bytes), sha256: String(a.sha256),
      kind: kindOf(rel), encrypted: rel.endsWith('.age') || a.encryption === 'age',
      members: membersOf(meta, a.name), membersFrom: 'metadata.json members', files: Number.isSafeInteger(a.files) ? a.files : undefined,
    }
    unit.artifacts.push(art)
    recorded.set(rel, { size: art.size, sha256: art.sha256, unit: name })
  }
  for (const f of await listFiles(dir)) if (!known.has(f)) unit.problems.push(`unexpected file ${f}`)
  return unit
}

/** Scan a zip-unit domain. */
export async function scanUnitDomain(runDir: string, domain: string): Promise<DomainScan> {
  const dirEntries = await listDir(path.join(runDir, domain))
  const units: Unit[] = []
  const recorded = new Map<string, Recorded>()
  const unfinished = new Set<string>()
  const indexProblems: string[] = []
  for (const e of dirEntries) {
    if (!e.dir) {
      if (!DOMAIN_FILES.has(e.name) && !e.name.startsWith('.')) indexProblems.push(`${domain}/${e.name}: unexpected file`)
      continue
    }
    const u = await readUnit(runDir, domain, e.name, recorded)
    if (!u) continue
    if (!u.meta) unfinished.add(e.name)
    units.push(u)
  }
  const index = await readIndex(runDir, domain)
  indexProblems.push(...index.problems)
  const onDisk = new Set<string>()
  for (const u of units) {
    for (const f of await listFiles(path.join(runDir, domain, u.name))) if (f !== 'metadata.json') onDisk.add(`${domain}/${u.name}/${f}`)
  }
  if (index.entries) indexProblems.push(...crossCheck(index.entries, recorded, onDisk, unfinished))
  return { domain, kind: 'units', units, indexEntries: index.entries, indexProblems }
}
