/**
 * C-LARA's downloadable content zip of a rendered text (clara-facts §3): what
 * `clara_make_content_zip.build_content_zip_for_text_type` builds and
 * `serving_content_views.serve_zipfile` (`GET /accounts/serve_zipfile/<id>/<type>/`) serves.
 */
import { COMPILED_FOLDERS } from './data-folders.js'

/** The text types with a content zip (`phonetic_or_normal` in the URL). */
export const CONTENT_ZIP_TYPES = ['normal', 'phonetic'] as const
export type ContentZipType = (typeof CONTENT_ZIP_TYPES)[number]

/** `content_zipfile_path_for_project_id`: `<rendered dir>/content_zipfile_<type>.zip`, inside the rendered dir. */
export function contentZipName(t: ContentZipType): string {
  return `content_zipfile_${t}.zip`
}

/** The rendered dir of a type, relative to `$CLARA` (`output_dir_for_project_id`). */
export function renderedDir(t: ContentZipType, projectId: number | string): string {
  return `${COMPILED_FOLDERS[t]}/${projectId}`
}

/** The rendered dir is copied under this folder of the zip (`copy_directory(out_dir, tmp/content)`). */
export const CONTENT_FOLDER_IN_ZIP = 'content'

/** `create_start_page_for_self_contained_dir`: the zip's top-level start page, byte for byte. */
export const START_PAGE = { name: 'START.html', text: '<h1>Content</h1>\n\n<a href="./content/page_1.html"><b>Click here</b></a>\n' }

/** `content/multimedia/` always exists (`os.makedirs(multimedia_dir, exist_ok=True)`). */
export const MULTIMEDIA_IN_ZIP = `${CONTENT_FOLDER_IN_ZIP}/multimedia`

/** A previous content zip inside the rendered dir: C-LARA copies it in too (so zips nest); a rebuild leaves it out. */
export const NESTED_CONTENT_ZIP = /^content_zipfile_[^/]*\.zip$/

/** A text type that has a content zip (`normal`, `phonetic`; not `questionnaire`). */
export function isContentZipType(t: string): t is ContentZipType {
  return (CONTENT_ZIP_TYPES as readonly string[]).includes(t)
}

/**
 * The field of a compiled unit's metadata.json that lists the text types whose rendered dir held
 * its content zip when the backup was made (clara-list-projects writes it, always, `[]` for none).
 * C-LARA makes a content zip only when a user asks for one ("build content zip"), so most rendered
 * dirs have none; the archive leaves the zip itself out (it nests), and clara-restore rebuilds the
 * ones listed. A unit of an older backup has no such field: which zips existed is not known then.
 */
export const CONTENT_ZIPS_FIELD = 'content_zips'
