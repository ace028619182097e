/**
 * The run's failures.json: every domain's failures.json in a run directory merged into one, for the
 * manifest (clara-backup at the end of a run, and `clara-index --merge`).
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from './atomic.js'
import { ClaraError, EXIT } from './cli.js'
import type { Failure } from './failures.js'
import { readJson } from './read-json.js'

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

/** A domain's failures; a file that is not a version 1 failures document stops the merge (never a silent loss). */
async function domainFailures(file: string): Promise<Failure[]> {
  const doc = await readJson<{ version?: unknown; failures?: unknown }>(file).catch(() => null)
  if (!doc || doc.version !== 1 || !Array.isArray(doc.failures)) {
    throw new ClaraError(`${file}: not a version 1 document with "failures" (rerun the domain to rebuild it)`, EXIT.FATAL, 'EBADINDEX')
  }
  return doc.failures as Failure[]
}

/** Merge and write; domains in name order, each domain's failures in its own order. */
export async function mergeFailures(dest: string, now = new Date()): Promise<RunFailuresDoc> {
  const doc: RunFailuresDoc = { version: 1, generated_at: now.toISOString(), domains: {}, failures: [] }
  for (const domain of await domainsWithFailures(dest)) {
    const fs = await domainFailures(path.join(dest, domain, 'failures.json'))
    doc.domains[domain] = fs.length
    for (const f of fs) doc.failures.push({ domain, ...f })
  }
  await writeJsonAtomic(path.join(dest, 'failures.json'), doc)
  return doc
}
