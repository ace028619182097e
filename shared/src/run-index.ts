/**
 * A domain's `index.json` inside a run: its entries whatever list name the domain uses (`entries`,
 * `shards`, `files`, `dumps`), and the unit each entry belongs to (a unit may have several artifacts).
 * Layout only: what clara-backup's manifest counts, and clara-runs compares.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'

export interface IndexEntry {
  size_bytes?: number
  sha256?: string
  unit?: string
  name?: string
  project_id?: unknown
  path?: string
  /** the db domain's dumps: their metadata file, relative to the run */
  metadata?: string
}

/** The entries of an index.json, whatever list name the domain uses. */
export function indexEntries(doc: any): IndexEntry[] {
  if (!doc) return []
  for (const key of ['entries', 'shards', 'files', 'dumps']) if (Array.isArray(doc[key])) return doc[key]
  return Array.isArray(doc) ? doc : []
}

/** The unit an index entry belongs to (a unit may have several artifacts). */
export function unitKey(e: IndexEntry): string {
  return String(e.unit ?? e.project_id ?? e.name ?? JSON.stringify(e))
}

/** The entries of `<runDir>/<domainDir>/index.json` (none when it is missing or unreadable). */
export async function readIndexEntries(runDir: string, domainDir: string): Promise<IndexEntry[]> {
  try {
    return indexEntries(JSON.parse(await fsp.readFile(path.join(runDir, domainDir, 'index.json'), 'utf8')))
  } catch {
    return []
  }
}
