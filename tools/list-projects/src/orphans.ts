/**
 * Orphans (clara-facts §8.5): entries of the per-project roots that no clara_app_claraproject row
 * owns. They are data too, so each gets an `orphan` record and, later, a unit of its own.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
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
  /** the name's bytes (base64) when they are not valid UTF-8: such a folder cannot be named in a unit yet */
  name_b64?: string
}

export interface Owners {
  ids: Set<string>
  internalIds: Set<string>
  imagesByIid: Map<string, Row[]>
  descriptionsByIid: Map<string, Row[]>
}

async function entries(dir: string): Promise<{ name: string; b64?: string; type: OrphanInfo['file_type'] }[]> {
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
      ...(isUtf8(d.name) ? {} : { b64: d.name.toString('base64') }),
      type: d.isDirectory() ? 'dir' : d.isFile() ? 'file' : d.isSymbolicLink() ? 'symlink' : 'other',
    }) as const)
}

/** Every orphan, root by root (content, images, compiled normal/phonetic/questionnaire), names in byte order. */
export async function findOrphans(clara: string, owners: Owners): Promise<OrphanInfo[]> {
  const out: OrphanInfo[] = []
  for (const { kind, root, key } of ORPHAN_ROOTS) {
    const owned = key === 'id' ? owners.ids : owners.internalIds
    for (const e of await entries(path.join(clara, root))) {
      if (owned.has(e.name)) continue
      const rec: OrphanInfo = { type: 'orphan', kind, name: e.name, path: `${root}/${e.name}`, file_type: e.type, ...(e.b64 ? { name_b64: e.b64 } : {}) }
      if (key === 'internal_id') {
        rec.images = owners.imagesByIid.get(e.name) ?? []
        rec.image_descriptions = owners.descriptionsByIid.get(e.name) ?? []
      }
      out.push(rec)
    }
  }
  return out
}
