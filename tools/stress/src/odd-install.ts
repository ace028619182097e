/**
 * The faults catalogue's install: a clara-fixture install with one planted oddity per project or
 * unit, so a single backup shows every per-item rule at once and that each stays in its unit.
 * I/O faults are injected through CLARA_FAULT_INJECT (shared/src/source-file.ts): root reads
 * everything, so EACCES and EIO cannot be had for real.
 */
import { execFileSync } from 'node:child_process'
import { promises as fsp, linkSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

const C12 = 'clara_content/Ça_va__12'
const C60 = 'clara_content/picture_dict__c1__l2_kok_kaper__l1_english__style_any'
const C55 = 'clara_content/mannyrayner_reading_history_for_english_55'

/** Where each oddity is, relative to $CLARA, and the unit it belongs to. */
export const ODD = {
  names: { dir: `${C12}/odd names`, unit: 'source_exports/12' },
  specials: { dir: `${C60}/specials`, unit: 'source_exports/60' },
  links: { dir: `${C55}/links`, unit: 'source_exports/55' },
  vanishes: { file: 'clara_content/Peter_Rabbit_small5/vanishes.txt', unit: 'source_exports/5' },
  unreadable: { file: 'clara_content/Mary_had_a_little_lamb_37/locked.txt', unit: 'source_exports/37' },
  eio: { file: 'LARA_legacy/proust_vol1/bad-sector.html', unit: 'legacy_zips/proust_vol1' },
  growsOnce: { file: 'clara_content/Orphan_no_db_row_77/grows-once.txt', unit: 'source_exports/orphan-Orphan_no_db_row_77' },
  keepsGrowing: { file: 'prompt_templates/default/keeps-growing.txt', unit: 'media/prompt_templates' },
}

/** The faults to inject into a backup of the odd install. */
export const ODD_FAULTS = `ENOENT:${ODD.vanishes.file},EACCES:${ODD.unreadable.file},EIO@read:${ODD.eio.file},GROW1:${ODD.growsOnce.file},GROW:${ODD.keepsGrowing.file}`

/** Odd names, as raw bytes relative to ODD.names.dir; all must come back byte-exact. */
export function oddNames(): Buffer[] {
  const deep = Array.from({ length: 5 }, (_, i) => `${String(i)}${'d'.repeat(199)}`).join('/')
  return [
    Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]), // "caf\xe9.txt": latin-1, not UTF-8
    Buffer.from('\u00e9t\u00e9.txt'), // NFC
    Buffer.from('e\u0301te\u0301.txt'), // NFD of the same word
    Buffer.from(`${'n'.repeat(251)}.txt`), // a 255-byte name
    Buffer.from(`${deep}/deep file.txt`), // a path of more than 1,000 bytes
    Buffer.from('zero bytes.txt'),
  ]
}

/** A real socket inode at `file` (bound under a short path: sun_path holds only 108 bytes). */
async function makeSocket(file: string): Promise<void> {
  const short = mkdtempSync(path.join(os.tmpdir(), 's-'))
  const server = net.createServer()
  await new Promise<void>((res, rej) => server.once('error', rej).listen(path.join(short, 's'), res))
  linkSync(path.join(short, 's'), file)
  await new Promise<void>((res) => server.close(() => res()))
  rmSync(short, { recursive: true, force: true })
}

async function plantNames(clara: string): Promise<void> {
  const base = path.join(clara, ODD.names.dir)
  for (const [i, rel] of oddNames().entries()) {
    const abs = Buffer.concat([Buffer.from(base + '/'), rel])
    await fsp.mkdir(abs.subarray(0, abs.lastIndexOf(0x2f)), { recursive: true })
    await fsp.writeFile(abs, i === 5 ? '' : `odd file ${i}\n`)
  }
  await fsp.mkdir(path.join(base, 'empty dir', 'empty inside'), { recursive: true })
}

async function plantSpecials(clara: string): Promise<void> {
  const dir = path.join(clara, ODD.specials.dir)
  await fsp.mkdir(dir, { recursive: true })
  await fsp.writeFile(path.join(dir, 'regular.txt'), 'kept\n')
  execFileSync('mkfifo', [path.join(dir, 'a fifo')])
  execFileSync('mknod', [path.join(dir, 'a device'), 'c', '1', '3'])
  await makeSocket(path.join(dir, 'a socket'))
}

async function plantLinks(clara: string): Promise<void> {
  const dir = path.join(clara, ODD.links.dir)
  await fsp.mkdir(dir, { recursive: true })
  await fsp.writeFile(path.join(dir, 'target.txt'), 'in the tree\n')
  await fsp.symlink('target.txt', path.join(dir, 'in-tree'))
  await fsp.symlink('loop-b', path.join(dir, 'loop-a'))
  await fsp.symlink('loop-a', path.join(dir, 'loop-b'))
  await fsp.symlink('/etc/passwd', path.join(dir, 'out-of-tree'))
}

/** Plant every oddity into a fixture install at `clara`. */
export async function plantOddities(clara: string): Promise<void> {
  await plantNames(clara)
  await plantSpecials(clara)
  await plantLinks(clara)
  for (const f of [ODD.vanishes, ODD.unreadable, ODD.eio, ODD.growsOnce, ODD.keepsGrowing]) {
    await fsp.mkdir(path.dirname(path.join(clara, f.file)), { recursive: true })
    await fsp.writeFile(path.join(clara, f.file), `planted: ${f.unit}\n`)
  }
}
