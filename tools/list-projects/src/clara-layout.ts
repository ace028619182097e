/**
 * Where C-LARA keeps a project's data under `$CLARA` (clara-facts §1.6, §2.2, §3): the one place
 * in this tool that knows directory names, text types and what to leave out, besides the data
 * folders every tool shares (`@clara/clara-model/data-folders`).
 */
import { COMPILED_FOLDERS, CONTENT_FOLDER, IMAGE_FOLDER } from '@clara/clara-model/data-folders'

/** Rendered output roots, one dir per project id (`[renderer] output_dir*`). */
export const COMPILED_ROOTS = COMPILED_FOLDERS

export type TextType = keyof typeof COMPILED_ROOTS
export const TEXT_TYPES = Object.keys(COMPILED_ROOTS) as TextType[]

export function isTextType(s: string): s is TextType {
  return Object.prototype.hasOwnProperty.call(COMPILED_ROOTS, s)
}

/** Place kinds, in the order they are listed. */
export type PlaceKind = 'content' | 'images' | `compiled_${TextType}`

export function contentPath(internalId: string): string {
  return `${CONTENT_FOLDER}/${internalId}`
}
export function imagePath(internalId: string): string {
  return `${IMAGE_FOLDER}/${internalId}`
}
export function compiledPath(t: TextType, id: number | string): string {
  return `${COMPILED_ROOTS[t]}/${id}`
}

/** The roots scanned for orphans: which place kind, and whether a dir is owned by id or internal_id. */
export const ORPHAN_ROOTS: { kind: PlaceKind; root: string; key: 'internal_id' | 'id' }[] = [
  { kind: 'content', root: CONTENT_FOLDER, key: 'internal_id' },
  { kind: 'images', root: IMAGE_FOLDER, key: 'internal_id' },
  ...TEXT_TYPES.map((t) => ({ kind: `compiled_${t}` as PlaceKind, root: COMPILED_ROOTS[t], key: 'id' as const })),
]

/**
 * Never archived from project dirs (facts §8.7). `$CLARA/tmp` and `gunicorn.sock` live at the top
 * of `$CLARA`, not in a project dir, so only caches are matched here.
 */
export const SOURCE_EXCLUDES = ['__pycache__', '*.pyc', 'gunicorn.sock']

/** Left out of compiled archives: the nested, regenerable content zips (facts §3). */
export const COMPILED_EXCLUDES = ['content_zipfile_*.zip', '__pycache__']

/** Where rewritten media land inside a compiled text (the renderer's own folder name). */
export const MULTIMEDIA_DIR = 'multimedia'

/** `generate_thumbnail_name`: `<stem>_thumbnail<ext>` (Python `os.path.splitext` rules). */
export function thumbnailName(file: string): string {
  const slash = file.lastIndexOf('/')
  const base = file.slice(slash + 1)
  let dot = base.lastIndexOf('.')
  // splitext ignores leading dots of the basename
  if (dot > 0 && /^\.+$/.test(base.slice(0, dot))) dot = -1
  if (dot <= 0) return `${file}_thumbnail`
  const cut = slash + 1 + dot
  return `${file.slice(0, cut)}_thumbnail${file.slice(cut)}`
}
