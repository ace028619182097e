/**
 * Orphans (clara-facts §8.5): entries of the per-project roots that no clara_app_claraproject row
 * owns. They are data too, so each gets an `orphan` record and, later, a unit of its own.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { byteNameId, fitName } from '@clara/shared/names'
import { isUtf8 } from '@clara/shared/walk'
import type { OrphanRecord } from '@clara/shared/records'
import type { Row } from '@clara/shared/db'
import { ORPHAN_ROOTS, type PlaceKind } from './clara-layout.js'

export interface OrphanInfo extends OrphanRecord {
  kind: PlaceKind
  /** what the entry is: dir, file, symlink or other */
  file_type: 'dir' | 'file' | 'symlink' | 'other'
  /** image rows whose project_id is this name (content and image orphans only) */
  images?: Row[]
  image_descriptions?: Row[]
  /** when the name is not valid UTF-8 (`name` and `path` are then lossy): its bytes and the path's, base64 */
  name_b64?: string
  path_b64?: string
}

export interface Owners {
  ids: Set<string>
  internalIds: Set<string>
  imagesByIid: Map<string, Row[]>
  descriptionsByIid: Map<string, Row[]>
}

async function entries(dir: string): Promise<{ name: string; bytes?: Buffer; type: OrphanInfo['file_type'] }[]> {
  let list
  try {
    list = await fsp.readdir(dir, { withFileTypes: true, encoding: 'buffer' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return []
    throw err
  }
  return list
    .sort((a, b) => Buffer.compare(a.name, b.name))
    .map((d) => ({
      name: d.name.toString(),
      ...(isUtf8(d.name) ? {} : { bytes: d.name }),
      type: d.isDirectory() ? 'dir' : d.isFile() ? 'file' : d.isSymbolicLink() ? 'symlink' : 'other',
    }) as const)
}

/** Every orphan, root by root (content, images, compiled normal/phonetic/questionnaire), names in byte order. */
export async function findOrphans(clara: string, owners: Owners): Promise<OrphanInfo[]> {
  const out: OrphanInfo[] = []
  for (const { kind, root, key } of ORPHAN_ROOTS) {
    const owned = key === 'id' ? owners.ids : owners.internalIds
    for (const e of await entries(path.join(clara, root))) {
      // a name that is not UTF-8 is no DB value: no row owns it, even one its lossy text equals
      const named = e.bytes ? undefined : e.name
      if (named !== undefined && owned.has(named)) continue
      const rec: OrphanInfo = { type: 'orphan', kind, name: e.name, path: `${root}/${e.name}`, file_type: e.type }
      if (e.bytes) {
        rec.name_b64 = e.bytes.toString('base64')
        rec.path_b64 = Buffer.concat([Buffer.from(`${root}/`), e.bytes]).toString('base64')
      }
      if (key === 'internal_id') {
        rec.images = named === undefined ? [] : owners.imagesByIid.get(named) ?? []
        rec.image_descriptions = named === undefined ? [] : owners.descriptionsByIid.get(named) ?? []
      }
      out.push(rec)
    }
  }
  return out
}

/** The entry's name: its text, or its exact bytes when they are not valid UTF-8. */
export function orphanName(o: OrphanInfo): string | Buffer {
  return o.name_b64 === undefined ? o.name : Buffer.from(o.name_b64, 'base64')
}

/** The entry's path relative to the install: text, or exact bytes. */
export function orphanPath(o: OrphanInfo): string | Buffer {
  return o.path_b64 === undefined ? o.path : Buffer.from(o.path_b64, 'base64')
}

/** How unit metadata names an orphan: `name`, plus `name_b64` (its bytes) when it is not UTF-8. */
export function nameFields(name: string | Buffer): { name: string; name_b64?: string } {
  return typeof name === 'string' ? { name } : { name: name.toString(), name_b64: name.toString('base64') }
}

/**
 * Orphans get `orphan-<dir name>`: project units are numeric ids, so the two never clash. A name
 * too long for a folder (a 250-byte orphan name is legal) keeps a prefix plus a hash of the whole.
 * A name that is not UTF-8 gets its text with `_` for each bad sequence, plus a hash of its bytes
 * (names that differ only in those bytes stay apart).
 */
export function orphanUnitName(name: string | Buffer): string {
  return typeof name === 'string' ? fitName(`orphan-${name}`) : byteNameId(name, 'orphan-')
}
