/**
 * Units already on disk: `--existing skip` keeps a finished unit whose archives still hash right;
 * `--link-dest` hard-links an unchanged unit (same fingerprint) from the previous run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { tempNameFor } from '@clara/shared/atomic'
import { syncDir } from '@clara/shared/durability'
import { hashFile } from '@clara/shared/hash'
import type { ArtifactRecord, UnitRecord } from '@clara/shared/records'
import type { UnitMetadata } from './metadata.js'

export const METADATA = 'metadata.json'

/**
 * A unit's metadata.json, or null when absent or unreadable (the unit is unfinished).
 * Synchronous: a small file in a worker thread, where a thread-pool round trip costs more than the read.
 */
export async function readMetadata(unitDir: string): Promise<UnitMetadata | null> {
  try {
    const doc = JSON.parse(fs.readFileSync(path.join(unitDir, METADATA), 'utf8'))
    return doc && doc.version === 1 && Array.isArray(doc.archives) ? doc : null
  } catch {
    return null
  }
}

/** Artifact records for a kept or linked unit. */
export function reusedArtifacts(rec: UnitRecord, doc: UnitMetadata, planned: boolean): ArtifactRecord[] {
  return doc.archives.map((a) => ({
    type: 'artifact',
    domain: rec.domain,
    unit: rec.unit,
    path: `${rec.domain}/${rec.unit}/${a.name}.zip`,
    size_bytes: a.size_bytes,
    sha256: a.sha256,
    files: a.files,
    updated_at: doc.created_at,
    reused: true,
    ...(planned ? { planned: true } : {}),
  }))
}

/** The metadata names exactly the archives the record asks for, and nothing was left unresolved. */
function sameShape(rec: UnitRecord, doc: UnitMetadata): boolean {
  const want = rec.archives.map((a) => a.name).sort()
  const have = doc.archives.map((a) => a.name).sort()
  return want.length === have.length && want.every((n, i) => n === have[i]) && !(doc.unresolved ?? []).length
}

async function sizeMatches(file: string, size: number): Promise<boolean> {
  try {
    const st = fs.statSync(file, { throwIfNoEntry: false })
    return !!st && st.isFile() && st.size === size
  } catch {
    return false
  }
}

/** `--existing skip`: the finished unit at `unitDir`, if every archive is there with its size and sha256 (re-hashed). */
export async function keepExisting(rec: UnitRecord, unitDir: string): Promise<UnitMetadata | null> {
  const doc = await readMetadata(unitDir)
  if (!doc || !sameShape(rec, doc)) return null
  for (const a of doc.archives) {
    const file = path.join(unitDir, `${a.name}.zip`)
    if (!(await sizeMatches(file, a.size_bytes))) return null
    if ((await hashFile(file)).sha256 !== a.sha256) return null
  }
  return doc
}

/** `--link-dest`: the previous run's metadata (`doc`, read from `prevDir`) when its fingerprint equals ours and its archives still have their sizes. */
export async function previousUnit(rec: UnitRecord, prevDir: string, doc: UnitMetadata | null, fp: string): Promise<UnitMetadata | null> {
  if (!doc || doc.fingerprint !== fp || !sameShape(rec, doc)) return null
  for (const a of doc.archives) if (!(await sizeMatches(path.join(prevDir, `${a.name}.zip`), a.size_bytes))) return null
  return doc
}

/** Hard-link `from` to `to` atomically (link to a temp name, then rename over). */
async function linkAtomic(from: string, to: string): Promise<void> {
  const tmp = tempNameFor(to)
  fs.linkSync(from, tmp)
  try {
    fs.renameSync(tmp, to)
  } catch (err) {
    try {
      fs.unlinkSync(tmp)
    } catch {
      // already gone
    }
    throw err
  }
}

/** Link the previous unit's archives, then its metadata.json last. */
export async function linkUnit(doc: UnitMetadata, prevDir: string, unitDir: string): Promise<void> {
  for (const a of doc.archives) await linkAtomic(path.join(prevDir, `${a.name}.zip`), path.join(unitDir, `${a.name}.zip`))
  await linkAtomic(path.join(prevDir, METADATA), path.join(unitDir, METADATA))
  await syncDir(unitDir)
}
