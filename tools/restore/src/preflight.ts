/**
 * Before anything is written: read every path value (the dump's path columns, the C-LARA JSON
 * path files inside the zips to be restored), detect the old roots they name, and find every
 * value the rewrite would push over its varchar limit.
 */
import { ZipSync } from '@clara/shared/zip-sync'
import { PATH_COLUMNS } from '@clara/clara-model/path-columns'
import { pathJsonFor } from './clara-paths.js'
import type { DumpInfo } from './dump-info.js'
import { dumpPathValues, type PathValue } from './dump-rows.js'
import { jsonPathValues } from './json-rewrite.js'
import { place, relOf } from './mapping.js'
import type { RootSet } from './old-roots.js'
import type { RestoreUnit } from './run-plan.js'

export interface Overflow {
  column: string
  key: string
  max: number
  length: number
  value: string
  rewritten: string
}

export interface PreflightResult {
  dbValues: PathValue[]
  jsonFiles: number
  overflow: Overflow[]
  warnings: string[]
}

const JSON_EXT = Buffer.from('.json')
const endsWith = (b: Buffer, tail: Buffer) => b.length >= tail.length && b.subarray(b.length - tail.length).equals(tail)

/** Path values of the JSON path files inside a unit's zips. */
async function zipJsonValues(u: RestoreUnit, warnings: string[]): Promise<{ files: number; values: string[] }> {
  const values: string[] = []
  let files = 0
  for (const a of u.artifacts.filter((x) => x.format === 'zip')) {
    let zip: ZipSync
    try {
      zip = ZipSync.open(a.abs)
    } catch (err) {
      warnings.push(`${a.path}: not readable in the pre-flight: ${(err as Error).message}`)
      continue
    }
    // every path JSON file is named *.json; only a {path, to} spec can give a member another name
    const renames = a.specs.some((s) => !('prefix' in s))
    try {
      for (const e of zip.entries) {
        if (!renames && !endsWith(e.nameBytes, JSON_EXT)) continue
        const p = e.kind === 'file' ? place(a.specs, e.nameBytes) : null
        const rule = p && pathJsonFor(relOf(p))
        if (!p || !rule) continue
        files++
        try {
          values.push(...jsonPathValues(zip.content(e).toString('utf8'), rule))
        } catch (err) {
          warnings.push(`${a.path}: ${e.name}: ${(err as Error).message}`)
        }
      }
    } finally {
      zip.close()
    }
  }
  return { files, values }
}

const chars = (s: string) => [...s].length

export async function preflight(dump: DumpInfo | null, units: RestoreUnit[], roots: RootSet, env: NodeJS.ProcessEnv): Promise<PreflightResult> {
  const warnings: string[] = []
  const dbValues = dump ? await dumpPathValues(dump, PATH_COLUMNS, env) : []
  for (const v of dbValues) roots.detect(v.value)
  let jsonFiles = 0
  for (const u of units) {
    const r = await zipJsonValues(u, warnings)
    jsonFiles += r.files
    for (const v of r.values) roots.detect(v)
  }
  const overflow: Overflow[] = []
  for (const v of dbValues) {
    const r = roots.rewrite(v.value, false)
    if (!r || !v.col.max || chars(r.value) <= v.col.max) continue
    overflow.push({ column: `${v.col.table}.${v.col.column}`, key: v.key, max: v.col.max, length: chars(r.value), value: v.value, rewritten: r.value })
  }
  return { dbValues, jsonFiles, overflow, warnings }
}
