/**
 * Damage done to a copy of a good run, one kind per unit, for the "clara-verify names each"
 * row: a bit flip, a truncation, a member deleted (with the checksums in metadata.json and
 * index.json fixed up, so only a member check finds it), two units swapped, an edited index.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { AtomicFile } from '@clara/shared/atomic'
import { ZipReader } from '@clara/shared/zip-reader'
import { ZipWriter } from '@clara/shared/zip-writer'

type Doc = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const readJson = async (f: string): Promise<Doc> => JSON.parse(await fsp.readFile(f, 'utf8'))
const writeJson = (f: string, d: Doc) => fsp.writeFile(f, JSON.stringify(d, null, 2) + '\n')

/** Flip one bit in the middle of a file. */
export async function flipBit(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r+')
  const { size } = await fh.stat()
  const b = Buffer.alloc(1)
  await fh.read(b, 0, 1, Math.floor(size / 2))
  b[0] ^= 0x10
  await fh.write(b, 0, 1, Math.floor(size / 2))
  await fh.close()
}

export async function truncateHalf(file: string): Promise<void> {
  await fsp.truncate(file, Math.floor((await fsp.stat(file)).size / 2))
}

/** Rewrite `zip` without the member `name`; returns the new size and sha256. */
async function zipWithout(zip: string, name: string): Promise<{ size_bytes: number; sha256: string }> {
  const z = await ZipReader.open(zip)
  const out = await AtomicFile.open(zip)
  const w = new ZipWriter(out)
  for (const e of z.entries) {
    if (e.name === name) continue
    const meta = { name: e.nameBytes, mtime: e.mtime, mode: e.mode }
    if (e.kind === 'dir') await w.addDir(meta)
    else if (e.kind === 'symlink') await w.addSymlink(meta, await z.read(e))
    else await w.addFile(meta, await z.read(e))
  }
  await w.finish()
  await z.close()
  const r = await out.commit()
  return { size_bytes: r.size_bytes, sha256: r.sha256 }
}

/** Delete a member of a unit's only archive and fix every checksum that lists the archive. */
export async function deleteMember(run: string, domain: string, unit: string, member: string): Promise<void> {
  const metaFile = path.join(run, domain, unit, 'metadata.json')
  const meta = await readJson(metaFile)
  const a = meta.archives[0]
  const fixed = await zipWithout(path.join(run, a.path), member)
  Object.assign(a, fixed)
  if (meta.sha256) Object.assign(meta, fixed)
  await writeJson(metaFile, meta)
  const indexFile = path.join(run, domain, 'index.json')
  const index = await readJson(indexFile)
  for (const e of index.entries) if (`${domain}/${e.path}` === a.path || e.path === a.path) Object.assign(e, fixed)
  await writeJson(indexFile, index)
}

/** Swap two unit folders of a domain (their archives and metadata change places). */
export async function swapUnits(run: string, domain: string, a: string, b: string): Promise<void> {
  const [pa, pb, tmp] = [a, b, '.swap'].map((u) => path.join(run, domain, u))
  await fsp.rename(pa, tmp)
  await fsp.rename(pb, pa)
  await fsp.rename(tmp, pb)
}

/** Change the recorded sha256 of one unit's entry in a domain's index.json. */
export async function editIndex(run: string, domain: string, unit: string): Promise<void> {
  const file = path.join(run, domain, 'index.json')
  const index = await readJson(file)
  const e = index.entries.find((x: Doc) => x.unit === unit || String(x.project_id) === unit || x.name === unit)
  if (!e) throw new Error(`${domain}/index.json has no entry for ${unit}`)
  e.sha256 = e.sha256.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))
  await writeJson(file, index)
}
