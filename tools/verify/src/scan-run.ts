/** Read every domain folder of a run with the reader its kind needs. */
import path from 'node:path'
import { listDir } from './disk.js'
import { scanDbDomain } from './db-domain.js'
import { DOMAIN_KINDS, type DomainScan } from './domain-scan.js'
import { scanFilesDomain } from './files-domain.js'
import { scanShardDomain } from './shard-domain.js'
import { scanUnitDomain } from './unit-domain.js'

/** Names of the domain folders in the run (every folder, hidden ones aside). */
export async function domainDirs(runDir: string): Promise<string[]> {
  return (await listDir(runDir)).filter((e) => e.dir && !e.name.startsWith('.')).map((e) => e.name)
}

/** A folder this tool does not know is read as a list of files with an index.json. */
export async function scanDomain(runDir: string, domain: string): Promise<DomainScan> {
  const kind = DOMAIN_KINDS[domain] ?? 'files'
  if (kind === 'units') return scanUnitDomain(runDir, domain)
  if (kind === 'shards') return scanShardDomain(runDir, domain)
  if (kind === 'db') return scanDbDomain(runDir, domain)
  return scanFilesDomain(runDir, domain)
}

export async function scanRun(runDir: string): Promise<DomainScan[]> {
  const out: DomainScan[] = []
  for (const d of await domainDirs(runDir)) out.push(await scanDomain(path.resolve(runDir), d))
  return out
}
