/** A domain of plain files listed in index.json (infra/, and any domain this tool does not know). */
import path from 'node:path'
import { crossCheck, readIndex, type Recorded } from './index-check.js'
import { listFiles } from './disk.js'
import { kindOf, newUnit, type Unit } from './model.js'
import type { DomainScan } from './domain-scan.js'
import { infraNameProblem } from './targets.js'

const DOCS = new Set(['index.json', 'failures.json'])

export async function scanFilesDomain(runDir: string, domain: string): Promise<DomainScan> {
  const index = await readIndex(runDir, domain)
  const units: Unit[] = []
  const recorded = new Map<string, Recorded>()
  for (const e of index.entries ?? []) {
    const name = String(e.raw.unit ?? e.raw.name ?? e.rel.slice(domain.length + 1))
    const u = newUnit(domain, name, e.raw)
    const why = domain === 'infra' ? infraNameProblem(String(e.raw.name ?? name)) : null
    if (why) u.problems.push(why)
    u.artifacts.push({ domain, unit: name, rel: e.rel, abs: path.join(runDir, e.rel), size: e.size, sha256: e.sha256, kind: kindOf(e.rel), encrypted: e.rel.endsWith('.age') })
    units.push(u)
    recorded.set(e.rel, { size: e.size, sha256: e.sha256, unit: name })
  }
  const onDisk = new Set((await listFiles(path.join(runDir, domain))).filter((f) => !DOCS.has(f) && !path.posix.basename(f).startsWith('.lock')).map((f) => `${domain}/${f}`))
  const problems = [...index.problems]
  if (index.entries) problems.push(...crossCheck(index.entries, recorded, onDisk))
  return { domain, kind: 'files', units, indexEntries: index.entries, indexProblems: problems }
}
