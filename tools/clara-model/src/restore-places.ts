/**
 * Where a restore may write inside a new C-LARA root: C-LARA's data places (clara-facts §2.2,
 * §5, §6, §8.12) and, for infra, `restored_infra/` only. Anything else (application code such as
 * `manage.py` or `clara_app/*.py`, the root itself, dot folders) is never a restore target.
 * Paths are root-relative, `/`-separated; they are judged by their components.
 */
import path from 'node:path'
import { AUDIO_FOLDER, COMPILED_FOLDERS, CONTENT_FOLDER, GLOSS_IMAGE_FOLDER, IMAGE_FOLDER, LEGACY_FOLDERS, PROMPT_FOLDER } from './data-folders.js'
import { MEDIA_ROOTS } from './media-roots.js'

/** Infra is restored here, for review; never into /etc or the app. */
export const INFRA_FOLDER = 'restored_infra'

/**
 * The data places: the folders (or single files) a restore target must lie in. `audio` and
 * `images` whole: the retired audio SQLite files sit in `audio/`, and the snapshots hold `images/`.
 */
export const DATA_PLACES: readonly string[] = [...new Set([
  CONTENT_FOLDER,
  ...Object.values(COMPILED_FOLDERS),
  path.posix.dirname(AUDIO_FOLDER),
  path.posix.dirname(IMAGE_FOLDER),
  path.posix.dirname(GLOSS_IMAGE_FOLDER),
  PROMPT_FOLDER,
  ...LEGACY_FOLDERS,
  ...MEDIA_ROOTS.map((r) => r.path),
])]

/** The components of a root-relative path (`.` and empty ones dropped), or null when it is absolute or climbs with `..`. */
function components(rel: string): string[] | null {
  if (rel.startsWith('/') || rel.includes('\0')) return null
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.')
  return parts.includes('..') ? null : parts
}

/** The data place `rel` is or lies in, or null. */
export function dataPlaceOf(rel: string): string | null {
  const parts = components(rel)
  if (!parts?.length) return null
  const r = parts.join('/')
  return DATA_PLACES.find((p) => r === p || r.startsWith(p + '/')) ?? null
}

/**
 * Why `rel` may not be written by a restore (null: it may). `infra`: the target of an infra
 * entry, which must be one name directly in restored_infra/.
 */
export function restoreTargetProblem(rel: string, infra = false): string | null {
  const parts = components(rel)
  const shown = JSON.stringify(rel)
  if (!parts) return `restore target ${shown} leaves the new root`
  if (infra) return parts.length === 2 && parts[0] === INFRA_FOLDER ? null : `infra entry ${shown} is not a name inside ${INFRA_FOLDER}/`
  if (!parts.length) return 'restore target is the new root itself'
  return dataPlaceOf(rel) ? null : `restore target ${shown} is not inside one of C-LARA's data places`
}
