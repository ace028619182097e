/**
 * `project_dir/stored_data.json` of a project's source.zip. C-LARA's export always holds it, written
 * from the project row (`@clara/clara-model/project-export`), and its import fails without it. The
 * folder's own file rides along verbatim when it says the same; when it is missing (or the folder
 * is), or says something else, the archive holds the one C-LARA would write, in C-LARA's bytes.
 */
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { InlineEntry } from '@clara/shared/records'
import { pythonJson, storedData, STORED_DATA } from '@clara/clara-model/project-export'
import { isDeepStrictEqual } from 'node:util'
import { contentPath } from './clara-layout.js'
import { isFile } from './places.js'
import type { ProjectInfo } from './project-record.js'

export interface StoredDataPlan {
  /** the generated member, or null when the folder's own file is kept */
  entry: InlineEntry | null
  /** dir-source excludes that make room for it */
  exclude: string[]
  /** why the folder's own file was replaced, when it exists and disagrees */
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
  const file = path.join(clara, contentPath(p.internal_id), STORED_DATA)
  const present = hasFolder && isFile(file)
  const own = present ? parsed(file) : undefined
  if (present && isDeepStrictEqual(own, want)) return { entry: null, exclude: [] }
  const entry: InlineEntry = { path: `project_dir/${STORED_DATA}`, text: pythonJson(want) }
  if (!present) return { entry, exclude: [] }
  entry.mtime = statSync(file).mtime.toISOString()
  const says = own === undefined ? 'is not valid JSON' : `says ${JSON.stringify(own)}`
  return { entry, exclude: [`/${STORED_DATA}`], differs: `${says}; source.zip holds C-LARA's own from the project row: ${JSON.stringify(want)}` }
}
