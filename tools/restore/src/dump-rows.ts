/**
 * The path columns' values as they are IN THE DUMP, read before anything is restored, so the
 * pre-flight can find every old root and every value a rewrite would push over its varchar
 * limit. SQLite: the backup copy opened read-only; PostgreSQL: `pg_restore --data-only -f -`;
 * MySQL: the dump's INSERTs (all read by `@clara/shared/dump-rows`).
 */
import { readDumpRows } from '@clara/shared/dump-rows'
import type { PathColumn } from '@clara/clara-model/path-columns'
import type { DumpInfo } from './dump-info.js'

export interface PathValue {
  col: PathColumn
  key: string
  value: string
}

/** Every non-empty value of the path columns in the dump. */
export async function dumpPathValues(d: DumpInfo, cols: PathColumn[], env: NodeJS.ProcessEnv): Promise<PathValue[]> {
  const tables = await readDumpRows(d.file, d.engine, new Map(cols.map((c) => [c.table, [c.key, c.column]])), { env })
  const out: PathValue[] = []
  for (const col of cols) {
    const t = tables.get(col.table)
    if (!t) continue
    for (const [k, v] of t.rows) if (v) out.push({ col, key: String(k), value: v })
  }
  return out
}
