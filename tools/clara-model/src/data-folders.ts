/**
 * The data folders of a C-LARA install, relative to `$CLARA` (clara-facts §2.2, §5), and what a
 * stored path names by them: a path holding one of these folders as whole components points into
 * a C-LARA root, whatever the root, host or style it was written with (clara-facts §1.7, §8.1).
 */

/** Project sources, one dir per internal_id (`[CLARA_projects] project_dir`). */
export const CONTENT_FOLDER = 'clara_content'
/** TTS and human audio, `<engine>/<language>/<voice>/<file>` (`[audio_repository] base_dir_orm`). */
export const AUDIO_FOLDER = 'audio/tts_repository_orm'
/** Project images and thumbnails, one dir per internal_id (`[image_repository] base_dir_orm`). */
export const IMAGE_FOLDER = 'images/image_repository_orm'
/** Picture glosses, `<lang>/<style>/<md5[:2]>/<slug>/<file>` (clara-facts §5.3). */
export const GLOSS_IMAGE_FOLDER = 'gloss_images/image_repository_orm'
/** Prompt templates: tracked in git and edited at runtime (clara-facts §5.4). */
export const PROMPT_FOLDER = 'prompt_templates'

/** Rendered output roots, one dir per project id (`[renderer] output_dir*`), by text type. */
export const COMPILED_FOLDERS = {
  normal: 'clara_compiled',
  phonetic: 'clara_compiled_phonetic',
  questionnaire: 'clara_compiled_for_questionnaire',
} as const
/** Legacy LARA content (clara-facts §6): the Makefile's spelling, then the plan's. */
export const LEGACY_FOLDERS = ['LARA_legacy', 'lara_legacy'] as const

export const DATA_FOLDERS = [CONTENT_FOLDER, AUDIO_FOLDER, IMAGE_FOLDER, GLOSS_IMAGE_FOLDER, PROMPT_FOLDER] as const
export type DataFolder = (typeof DATA_FOLDERS)[number]

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** A data folder as whole components, anywhere in a `/`-separated path. */
const FOLDER_IN = new RegExp(`(?:^|/)(${DATA_FOLDERS.map(esc).join('|')})(?:/|$)`)

/** The first data folder of a `/`-separated path and where it starts, or null. */
export function firstDataFolder(p: string): { at: number; folder: DataFolder } | null {
  const m = FOLDER_IN.exec(p)
  if (!m) return null
  return { at: m.index + (p[m.index] === '/' ? 1 : 0), folder: m[1] as DataFolder }
}

/** The old root a path points into: the text in front of its first data folder (`\` read as `/`; '' when none). */
export function claraRoot(p: string): string {
  const n = p.replace(/\\/g, '/')
  const f = firstDataFolder(n)
  return f ? n.slice(0, Math.max(0, f.at - 1)) : ''
}

/**
 * The `$CLARA`-relative path a stored path names (`audio/tts_repository_orm/google/…`), whatever
 * its style: POSIX absolute under any root, Windows `C:/…` or `C:\…`, the literal `$CLARA/…`, an
 * S3 key. Null when it names no file under a data folder (or climbs out with `..`).
 */
export function claraRelative(stored: string | null | undefined): string | null {
  if (!stored) return null
  const p = stored.replace(/\\/g, '/').replace(/\/{2,}/g, '/')
  const f = firstDataFolder(p)
  if (!f) return null
  const rel = p.slice(f.at)
  return rel.length <= f.folder.length + 1 || rel.split('/').includes('..') ? null : rel
}

/** The path a stored path names inside one data folder (an audio cache key, say), or null when it names none there. */
export function folderRelative(stored: string | null | undefined, folder: DataFolder): string | null {
  const rel = claraRelative(stored)
  return rel && rel.startsWith(folder + '/') ? rel.slice(folder.length + 1) : null
}
