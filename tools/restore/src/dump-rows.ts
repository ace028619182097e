/**
 * The path columns' values as they are IN THE DUMP, read before anything is restored, so the
 * pre-flight can find every old root and every value a rewrite would push over its varchar
 * limit. SQLite: the backup copy opened read-only; PostgreSQL: `pg_restore --data-only -f -`;
 * MySQL: the dump's INSERTs.
 */
import { createReadStream } from 'node:fs'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { openDb } from '@clara/shared/db'
import { failureLine, runChild } from './child.js'
import type { PathColumn } from './clara-paths.js'
import { pgDataCall } from './db-client.js'
import type { DumpInfo } from './dump-info.js'
import { CopyCollector, MysqlCollector, lineFeeder, type TableRows } from './dump-text.js'

export interface PathValue {
  col: PathColumn
  key: string
  value: string
}

async function sqliteRows(file: string, cols: PathColumn[]): Promise<Map<string, TableRows>> {
  const db = await openDb(`sqlite://${file}`, { readonly: true })
  const out = new Map<string, TableRows>()
  try {
    const tables = new Set(await db.tables())
    for (const c of cols) {
      if (!tables.has(c.table)) continue
      const rows = await db.query(`select ${db.ident(c.key)} as k, ${db.ident(c.column)} as v from ${db.ident(c.table)}`)
      out.set(c.table, { columns: [c.key, c.column], rows: rows.map((r) => [r.k == null ? null : String(r.k), r.v == null ? null : String(r.v)]) })
    }
  } finally {
    await db.close()
  }
  return out
}

const wanted = (cols: PathColumn[]) => new Map(cols.map((c) => [c.table, [c.key, c.column]]))

async function pgRows(file: string, cols: PathColumn[], env: NodeJS.ProcessEnv): Promise<Map<string, TableRows>> {
  const call = pgDataCall(file, [...new Set(cols.map((c) => c.table))], env)
  const c = new CopyCollector(wanted(cols))
  const feed = lineFeeder(c)
  const r = await runChild('pg_restore', call.args, { env: call.env, secrets: call.secrets, onStdout: (b) => feed.chunk(b) })
  feed.end()
  if (r.code !== 0) throw new ClaraError(failureLine('pg_restore --data-only', r), EXIT.FATAL, 'EDUMP')
  return c.result()
}

async function mysqlRows(file: string, cols: PathColumn[]): Promise<Map<string, TableRows>> {
  const c = new MysqlCollector(wanted(cols))
  const feed = lineFeeder(c)
  for await (const chunk of createReadStream(file)) feed.chunk(chunk as Buffer)
  feed.end()
  return c.result()
}

/** Every non-empty value of the path columns in the dump. */
export async function dumpPathValues(d: DumpInfo, cols: PathColumn[], env: NodeJS.ProcessEnv): Promise<PathValue[]> {
  const tables = d.engine === 'sqlite' ? await sqliteRows(d.file, cols) : d.engine === 'postgres' ? await pgRows(d.file, cols, env) : await mysqlRows(d.file, cols)
  const out: PathValue[] = []
  for (const col of cols) {
    const t = tables.get(col.table)
    if (!t) continue
    for (const [k, v] of t.rows) if (v) out.push({ col, key: String(k), value: v })
  }
  return out
}
