/**
 * `project_dir/stored_data.json` of a project's source.zip. C-LARA's export always holds it, written
 * from the project row (`@clara/clara-model/project-export`), and its import fails without it.
 * A project with no folder gets the one C-LARA would write, in C-LARA's bytes (it restores nowhere:
 * there was no folder). A folder is archived exactly as it is, so that a restore gives it back as it
 * was; when its file is missing or says something other than the row, a warning says so (C-LARA
 * rewrites the file from the row whenever it opens the project).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type { InlineEntry } from '@clara/shared/records'
import { pythonJson, storedData, STORED_DATA } from '@clara/clara-model/project-export'
import { contentPath } from './clara-layout.js'
import { isFile } from './places.js'
import type { ProjectInfo } from './project-record.js'

export interface StoredDataPlan {
  /** the generated member (a project without a folder), else null */
  entry: InlineEntry | null
  /** how the folder's own file falls short of C-LARA's, when it does */
  differs?: string
}

function parsed(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

export function storedDataEntry(clara: string, p: ProjectInfo, hasFolder: boolean): StoredDataPlan {
  const want = storedData(p)
  if (!hasFolder) return { entry: { path: `project_dir/${STORED_DATA}`, text: pythonJson(want) } }
  const file = path.join(clara, contentPath(p.internal_id), STORED_DATA)
  const theirs = `C-LARA's export would write ${JSON.stringify(want)} from the project row; the folder is archived as it is`
  if (!isFile(file)) return { entry: null, differs: `missing, so C-LARA's import refuses this source.zip; ${theirs}` }
  const own = parsed(file)
  if (isDeepStrictEqual(own, want)) return { entry: null }
  return { entry: null, differs: `${own === undefined ? 'not valid JSON' : `says ${JSON.stringify(own)}`}; ${theirs}` }
}
