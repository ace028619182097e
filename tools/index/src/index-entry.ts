/** One index.json entry from one `artifact` record, checked against the file on disk. */
import { promises as fsp, type Stats } from 'node:fs'
import path from 'node:path'
import type { ArtifactRecord } from '@clara/shared/records'
import { byUnitThen, unitId } from './unit-id.js'

export interface IndexEntry {
  project_id?: number
  name?: string
  unit: string
  /** POSIX, relative to the domain directory (where index.json is) */
  path: string
  size_bytes: number
  sha256: string
  updated_at: string
  [extra: string]: unknown
}

/** An artifact that cannot be indexed (a failure of step `index`). */
export class BadArtifact extends Error {
  constructor(message: string, readonly code: string) {
    super(message)
  }
}

/** Fields that the entry sets itself; any other artifact field is kept, after these. */
const OWN = new Set(['type', 'domain', 'unit', 'path', 'size_bytes', 'sha256', 'updated_at', 'planned', 'project_id', 'name'])

async function statOrNull(p: string): Promise<Stats | null> {
  return fsp.stat(p).catch(() => null)
}

/** Find the artifact: an absolute path, or one relative to the run directory (or to the domain directory). */
async function locate(p: string, dest: string, domainDir: string): Promise<{ abs: string; st: Stats }> {
  const candidates = path.isAbsolute(p) ? [p] : [path.resolve(dest, p), path.resolve(domainDir, p)]
  for (const abs of candidates) {
    const st = await statOrNull(abs)
    if (st) return { abs, st }
  }
  throw new BadArtifact(`artifact not found under ${dest}`, 'ENOENT')
}

function check(rec: ArtifactRecord): void {
  if (typeof rec.unit !== 'string' || !rec.unit) throw new BadArtifact('artifact record without a unit', 'EBADRECORD')
  if (typeof rec.path !== 'string' || !rec.path) throw new BadArtifact(`artifact record of unit ${rec.unit} without a path`, 'EBADRECORD')
  if (!Number.isSafeInteger(rec.size_bytes) || rec.size_bytes < 0) throw new BadArtifact(`bad size_bytes ${JSON.stringify(rec.size_bytes)}`, 'EBADRECORD')
  if (typeof rec.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(rec.sha256)) throw new BadArtifact(`bad sha256 ${JSON.stringify(rec.sha256)}`, 'EBADRECORD')
}

/** Build the entry; throws BadArtifact when the record is malformed or disagrees with the disk. */
export async function indexEntry(rec: ArtifactRecord, dest: string, domainDir: string): Promise<IndexEntry> {
  check(rec)
  const { abs, st } = await locate(rec.path, dest, domainDir)
  const rel = path.relative(domainDir, abs)
  if (!rel || rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) throw new BadArtifact(`outside the domain directory ${domainDir}`, 'EOUTSIDE')
  if (!st.isFile()) throw new BadArtifact('not a regular file', 'ENOTFILE')
  if (st.size !== rec.size_bytes) throw new BadArtifact(`${st.size} bytes on disk, the record says ${rec.size_bytes}`, 'ESIZE')
  const entry: IndexEntry = {
    ...unitId(rec.unit, rec as { project_id?: unknown; name?: unknown }),
    unit: rec.unit,
    path: rel.split(path.sep).join('/'),
    size_bytes: rec.size_bytes,
    sha256: rec.sha256,
    updated_at: typeof rec.updated_at === 'string' ? rec.updated_at : st.mtime.toISOString(),
  }
  for (const k of Object.keys(rec).sort()) if (!OWN.has(k)) entry[k] = rec[k]
  return entry
}

/** Is a previously indexed entry still there, with its size? */
export async function stillOnDisk(e: IndexEntry, domainDir: string): Promise<boolean> {
  const st = await statOrNull(path.resolve(domainDir, e.path))
  return !!st && st.isFile() && st.size === e.size_bytes
}

export const sortEntries = (es: IndexEntry[]): IndexEntry[] => [...es].sort(byUnitThen((e) => e.path))
