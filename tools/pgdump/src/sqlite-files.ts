/** Loose SQLite files (the legacy audio metadata DBs): online-backup copies plus one `db_metadata.json`. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { backupSqlite } from '@clara/shared/sqlite-backup'
import { TABLE_HASH_ALGORITHM, hashTables, type TableHash } from '@clara/shared/table-hash'

export type SchemaObject = {
  type: string
  name: string
  tbl_name: string
  sql: string
}

/** One file's entry in db_metadata.json. Absent files are listed with `present: false`. */
export interface SqliteFileEntry {
  name: string
  source: string
  present: boolean
  size_bytes?: number
  sha256?: string
  integrity?: string
  sqlite_version?: string
  tables?: Record<string, TableHash>
  schema?: SchemaObject[]
  error?: string
}

/** Copy one file into `outDir` (same base name) and describe the copy. Throws when the copy fails. */
export async function copySqliteFile(source: string, outDir: string): Promise<SqliteFileEntry> {
  const name = path.basename(source)
  if (!(await fsp.stat(source).catch(() => null))?.isFile()) return { name, source, present: false }
  const copy = await backupSqlite(source, path.join(outDir, name))
  const db = await openDb(`sqlite://${copy.path}`, { readonly: true })
  try {
    const schema = await db.query<SchemaObject>("select type, name, tbl_name, sql from sqlite_master where sql is not null order by type, name")
    return {
      name,
      source,
      present: true,
      size_bytes: copy.size_bytes,
      sha256: copy.sha256,
      integrity: copy.integrity,
      sqlite_version: await db.serverVersion(),
      tables: await hashTables(db),
      schema,
    }
  } finally {
    await db.close()
  }
}

/** --dry-run: what a copy would check, read-only: the file is a database whose tables can be read. Its size is the estimate. */
export async function planSqliteFile(source: string): Promise<SqliteFileEntry> {
  const name = path.basename(source)
  const st = await fsp.stat(source).catch(() => null)
  if (!st?.isFile()) return { name, source, present: false }
  const db = await openDb(`sqlite://${source}`, { readonly: true })
  try {
    await db.exec('begin') // one read snapshot for every table
    const tables = await hashTables(db)
    await db.exec('commit')
    return { name, source, present: true, size_bytes: st.size, sqlite_version: await db.serverVersion(), tables }
  } finally {
    await db.close()
  }
}

/** The `db_metadata.json` document for a folder of copied SQLite files. */
export function filesMetadata(entries: SqliteFileEntry[], createdAt: string): Record<string, unknown> {
  return { version: 1, kind: 'sqlite_files', created_at: createdAt, table_hash: { algorithm: TABLE_HASH_ALGORITHM }, files: entries }
}
