/** `--merge`: every domain's failures.json in a run directory into `<dest>/failures.json`, for the run manifest. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { existingFailures } from './existing.js'
import type { Failure } from './failures.js'

export interface RunFailuresDoc {
  version: 1
  generated_at: string
  /** failure count per domain directory that has a failures.json */
  domains: Record<string, number>
  failures: (Failure & { domain: string })[]
}

/** Domain directories of a run that hold a failures.json, by name. */
async function domainsWithFailures(dest: string): Promise<string[]> {
  const listing = await fsp.readdir(dest, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new ClaraError(`${dest}: cannot read the run directory: ${err.code ?? err.message}`, EXIT.FATAL, err.code)
  })
  const dirs = listing.filter((d) => d.isDirectory()).map((d) => d.name)
  const found: string[] = []
  for (const d of dirs.sort()) if (await fsp.stat(path.join(dest, d, 'failures.json')).then((s) => s.isFile(), () => false)) found.push(d)
  return found
}

/** Merge and write; domains in name order, each domain's failures in its own order. */
export async function mergeFailures(dest: string, now = new Date()): Promise<RunFailuresDoc> {
  const doc: RunFailuresDoc = { version: 1, generated_at: now.toISOString(), domains: {}, failures: [] }
  for (const domain of await domainsWithFailures(dest)) {
    const fs = await existingFailures(path.join(dest, domain))
    doc.domains[domain] = fs.length
    for (const f of fs) doc.failures.push({ domain, ...f })
  }
  await writeJsonAtomic(path.join(dest, 'failures.json'), doc)
  return doc
}
