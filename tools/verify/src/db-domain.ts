/** db/: the dumps written by clara-pgdump, each with its `.db_metadata.json`, listed in db/index.json. */
import path from 'node:path'
import { crossCheck, readIndex, type Recorded } from './index-check.js'
import { listFiles } from './disk.js'
import { readJson } from './json-file.js'
import { kindOf, newUnit, runRel, type Unit } from './model.js'
import type { DomainScan } from './domain-scan.js'

const DOCS = new Set(['index.json', 'failures.json'])
const isMetadata = (f: string) => f.endsWith('db_metadata.json')

/** The metadata file that belongs to a dump: `clara_db_<ts>.dump` → `clara_db_<ts>.db_metadata.json`. */
export function metadataFor(dumpRel: string): string {
  return dumpRel.replace(/\.age$/, '').replace(/\.(dump|sqlite3|sql)$/, '') + '.db_metadata.json'
}

export async function scanDbDomain(runDir: string, domain = 'db'): Promise<DomainScan> {
  const files = await listFiles(path.join(runDir, domain))
  const dumps = files.filter((f) => !DOCS.has(f) && !isMetadata(f) && !path.posix.basename(f).startsWith('.'))
  const units: Unit[] = []
  const recorded = new Map<string, Recorded>()
  for (const f of dumps) {
    const rel = `${domain}/${f}`
    const metaRel = metadataFor(rel)
    const m = await readJson(path.join(runDir, metaRel))
    const unit = newUnit(domain, f, m.ok ? m.doc : undefined)
    units.push(unit)
    if (!m.ok) {
      unit.problems.push(m.missing ? `unfinished: no ${path.posix.basename(metaRel)}` : `${path.posix.basename(metaRel)} ${m.message}`)
      continue
    }
    const meta = m.doc
    if (meta.dump !== undefined && String(meta.dump) !== path.posix.basename(f)) unit.problems.push(`${path.posix.basename(metaRel)} describes ${meta.dump}`)
    const art = { domain, unit: f, rel, abs: path.join(runDir, rel), size: Number(meta.size_bytes), sha256: String(meta.sha256), kind: kindOf(f), encrypted: f.endsWith('.age') }
    unit.artifacts.push(art)
    recorded.set(rel, { size: art.size, sha256: art.sha256, unit: f })
  }
  for (const f of files.filter(isMetadata)) {
    const m = await readJson(path.join(runDir, domain, f))
    const dump = m.ok ? String(m.doc.dump ?? '') : ''
    if (!dump || !dumps.includes(dump)) units.push(Object.assign(newUnit(domain, f), { problems: [`${f}: describes ${dump || 'no dump'}, which is not in ${domain}/`] }))
  }
  const index = await readIndex(runDir, domain)
  const problems = [...index.problems]
  if (index.entries) {
    problems.push(...crossCheck(index.entries, recorded, new Set(dumps.map((f) => `${domain}/${f}`))))
    for (const e of index.entries) {
      if (typeof e.raw.metadata === 'string' && runRel(domain, e.raw.metadata) !== metadataFor(e.rel)) problems.push(`${e.rel}: index.json names metadata ${e.raw.metadata}`)
    }
  }
  return { domain, kind: 'db', units, indexEntries: index.entries, indexProblems: problems }
}
