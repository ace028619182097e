/** Reading a finished run for assertions: which units a domain indexes, a unit's metadata and zip members, subtree digests. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { treeDigest } from '@clara/shared/tree-hash'
import { ZipReader, type ZipEntry } from '@clara/shared/zip-reader'

type Doc = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** The units a domain's index.json lists. */
export async function indexedUnits(run: string, domain: string): Promise<string[]> {
  const doc = JSON.parse(await fsp.readFile(path.join(run, domain, 'index.json'), 'utf8'))
  return [...new Set<string>((doc.entries ?? doc.shards ?? []).map((e: Doc) => String(e.unit ?? e.project_id ?? e.name)))].sort()
}

export async function unitMeta(run: string, unit: string): Promise<Doc> {
  return JSON.parse(await fsp.readFile(path.join(run, unit, 'metadata.json'), 'utf8'))
}

/** The members of a unit's first archive, with a reader to check them (close it). */
export async function unitZip(run: string, unit: string): Promise<{ zip: ZipReader; byName: Map<string, ZipEntry> }> {
  const meta = await unitMeta(run, unit)
  const zip = await ZipReader.open(path.join(run, meta.archives[0].path))
  return { zip, byName: new Map(zip.entries.map((e) => [e.nameBytes.toString('latin1'), e])) }
}

/** A zip member name as the map above keys it (raw bytes seen as latin1). */
export const rawName = (b: Buffer | string) => (typeof b === 'string' ? Buffer.from(b) : b).toString('latin1')

/**
 * The digest lines of a subtree: kind, mode, size, content and mtime in whole seconds (a zip
 * keeps mtimes to the second), names byte-exact. Two equal results: the same files.
 */
export async function subtreeLines(root: string): Promise<string[]> {
  const d = await treeDigest(root)
  return d.lines.map((l) => {
    const f = l.split('\t')
    f[2] = f[2] === '-' ? '-' : String(Math.floor(Number(f[2]) / 1000))
    return f.join('\t')
  })
}
