/**
 * `images/metadata.json` of C-LARA's export zip (clara-facts §4): one `Image.to_json()` item with
 * all 16 keys per orm_image_metadata row. For image-generation rows whose file exists, the image
 * and its thumbnail are copied into `images/` and the paths become basenames.
 */
import path from 'node:path'
import type { Row } from '@clara/shared/db'
import type { UnitSource } from '@clara/shared/records'
import { IMAGE_FOLDER } from '@clara/clara-model/data-folders'
import { thumbnailName } from './clara-layout.js'
import { isFile } from './places.js'

export const IMAGE_KEYS = [
  'image_file_path', 'thumbnail_file_path', 'image_name', 'associated_text', 'associated_areas', 'page', 'position',
  'style_description', 'content_description', 'request_type', 'description_variable', 'description_variables',
  'user_prompt', 'image_type', 'advice', 'element_name',
] as const

/**
 * Where the file of a DB path really is. The row may hold an old host's absolute path, a Windows
 * path, `$CLARA/…` or an S3 key (facts §8.1), so the image repository dir of the row's project is
 * tried first by basename, then the path itself when it lies inside `$CLARA`.
 */
export function locateImage(clara: string, iid: string, dbPath: string): string | null {
  if (!dbPath) return null
  const p = dbPath.replace(/\\/g, '/').replace(/^\$\{?CLARA\}?(?=\/|$)/, clara)
  const inRepo = path.join(clara, IMAGE_FOLDER, iid, path.posix.basename(p))
  if (path.posix.basename(p) && isFile(inRepo)) return inRepo
  // only inside the install: a backup never picks up arbitrary host files named by a DB row
  const literal = path.resolve(clara, p)
  return literal.startsWith(clara + path.sep) && isFile(literal) ? literal : null
}

export interface ImageExport {
  items: Record<string, unknown>[]
  /** the image and thumbnail files, each at `images/<basename>` */
  sources: UnitSource[]
}

/** The 16-key items and the files they name, like `copy_image_data_to_tmp_dir`. */
export function imageExport(clara: string, iid: string, rows: Row[]): ImageExport {
  const items: Record<string, unknown>[] = []
  const byPath = new Map<string, UnitSource>()
  for (const r of rows) {
    const filePath = String(r.file_path ?? '')
    const item: Record<string, unknown> = {}
    for (const k of IMAGE_KEYS) item[k] = r[k] ?? null
    item.image_file_path = filePath
    item.thumbnail_file_path = thumbnailName(filePath)
    if (r.request_type === 'image-generation') {
      for (const key of ['image_file_path', 'thumbnail_file_path'] as const) {
        const found = locateImage(clara, iid, String(item[key]))
        if (!found) continue
        const base = path.basename(found)
        item[key] = base
        byPath.set(`images/${base}`, { file: found, path: `images/${base}` })
      }
    }
    items.push(item)
  }
  return { items, sources: [...byPath.values()] }
}

/** `image_descriptions/metadata.json`: `[{description_variable, explanation}]`. */
export function descriptionItems(rows: Row[]): Record<string, unknown>[] {
  return rows.map((r) => ({ description_variable: r.description_variable, explanation: r.explanation }))
}
