/**
 * Pieces of C-LARA's own project export that come from the DB row rather than from the project
 * folder (clara_export_import.make_export_zipfile_internal at fa5b553). The export first opens the
 * project as `CLARAProjectInternal(internal_id, l2, l1)`, whose constructor rewrites
 * `stored_data.json` from those three values (and creates the folder with one empty dir per text
 * version when it is missing), so C-LARA's export always holds `project_dir/stored_data.json`, and
 * its import fails without it.
 */
import { pythonJson as pyJsonDumps } from '@clara/shared/python-json'

/** The 19 text versions: one dir each in every project folder (`CLARAProjectInternal.text_versions`). */
export const TEXT_VERSIONS = [
  'prompt', 'plain', 'title', 'segmented_title', 'summary', 'cefr_level', 'segmented', 'segmented_with_images', 'translated',
  'phonetic', 'gloss', 'lemma', 'lemma_and_gloss', 'pinyin', 'mwe', 'image_request_sequence', 'exercises',
  'exercise_judgements', 'exercise_human_judgements',
] as const

export const STORED_DATA = 'stored_data.json'

/** `_store_information_in_dir`: `{id, l2_language, l1_language}` of the project row. */
export function storedData(row: { internal_id: unknown; l2: unknown; l1: unknown }): Record<string, string> {
  return { id: String(row.internal_id), l2_language: String(row.l2), l1_language: String(row.l1) }
}

/** A text version's file in the project folder (`_file_path_for_version`). */
export function versionFile(internalId: string, version: string): string {
  return `${version}/${internalId}_${version}.txt`
}

/** Python's `json.dumps(value, indent=4)` (ASCII only, `\uXXXX` escapes), the bytes C-LARA writes. */
export const pythonJson = (value: unknown, indent = 4): string => pyJsonDumps(value, indent)
