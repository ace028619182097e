/**
 * Hostile units planted into a copy of a run (legacy_zips/evil-*), each listed with its true
 * sha256 so only clara-restore's member checks can stop it: zip-slip, an absolute member path,
 * a symlink out of the root with a member written through it, and a decompression bomb.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { AtomicFile } from '@clara/shared/atomic'
import { ZipWriter } from '@clara/shared/zip-writer'

type Add = (w: ZipWriter) => Promise<void>
const T = 1_700_000_000
const file = (name: string, body: Buffer | string) => (w: ZipWriter) => w.addFile({ name: Buffer.from(name), mtime: T }, Buffer.from(body))

/** Unit name → what its zip holds. `tag` makes the escaping names unique to one test. */
export function hostileUnits(tag: string, outside: string): Record<string, Add[]> {
  return {
    'evil-slip': [file('fine.txt', 'ok'), file(`../../../../../../../../../..${outside}/slipped-${tag}.txt`, 'escaped')],
    'evil-abs': [file('fine.txt', 'ok'), file(`${outside}/absolute-${tag}.txt`, 'escaped')],
    'evil-link': [(w) => w.addSymlink({ name: Buffer.from('escape'), mtime: T }, Buffer.from('../../../../../../../../../..' + outside)), file(`escape/through-${tag}.txt`, 'escaped')],
    'evil-bomb': [file('zeros.txt', Buffer.alloc(64 << 20))],
  }
}

async function writeUnit(run: string, unit: string, adds: Add[]): Promise<void> {
  const rel = `legacy_zips/${unit}/legacy.zip`
  const out = await AtomicFile.open(path.join(run, rel))
  const w = new ZipWriter(out, { level: 9 })
  for (const add of adds) await add(w)
  const { entries } = await w.finish()
  const { size_bytes, sha256 } = await out.commit()
  const meta = { version: 1, domain: 'legacy_zips', unit, archives: [{ name: 'legacy', path: rel, size_bytes, sha256, files: entries, restore: [{ prefix: '', to: `LARA_legacy/${unit}` }] }], size_bytes, sha256 }
  await fsp.writeFile(path.join(run, 'legacy_zips', unit, 'metadata.json'), JSON.stringify(meta, null, 2) + '\n')
}

/** Plant every hostile unit into `run`; returns their names. */
export async function plantHostile(run: string, tag: string, outside: string): Promise<string[]> {
  const units = hostileUnits(tag, outside)
  for (const [u, adds] of Object.entries(units)) await writeUnit(run, u, adds)
  return Object.keys(units)
}
