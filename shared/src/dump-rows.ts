/**
 * Rows of a few tables read from a database dump itself, not from any live database: a SQLite
 * copy opened read-only, `pg_restore --data-only --table=T… -f -` on a PostgreSQL custom dump
 * (COPY text, streamed), or a mysqldump `.sql` file (INSERT statements, streamed). Every value as
 * text or null. Generic: the caller names the tables and columns.
 */
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import path from 'node:path'
import { ClaraError, EXIT } from './cli.js'
import { openDb, type Engine } from './db.js'
import { CopyCollector } from './pg-copy-text.js'
import { lineFeeder, type RowCollector, type TableRows, type WantedColumns } from './row-collector.js'
import { MysqlCollector } from './sql-inserts.js'

export type { TableRows, WantedColumns } from './row-collector.js'

export interface DumpRowsOptions {
  env: NodeJS.ProcessEnv
  /** the pg_restore to run (default: the one on PATH) */
  pgRestore?: string
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v))

async function sqliteRows(file: string, wanted: WantedColumns): Promise<Map<string, TableRows>> {
  const db = await openDb(`sqlite://${file}`, { readonly: true })
  const out = new Map<string, TableRows>()
  try {
    const have = new Set(await db.tables())
    for (const [table, want] of wanted) {
      if (!have.has(table)) continue
      const all = (await db.query<{ name: string }>('select name from pragma_table_info(?)', [table])).map((c) => c.name)
      const columns = want.length ? want : all
      const list = columns.filter((c) => all.includes(c)).map((c) => db.ident(c)).join(', ') || 'null'
      const rows = await db.query(`select ${list} from ${db.ident(table)}`)
      out.set(table, { columns, rows: rows.map((r) => columns.map((c) => text(r[c]))) })
    }
  } finally {
    await db.close()
  }
  return out
}

/** One line saying why pg_restore failed: its first error line, else its last line. */
function failure(bin: string, code: number | null, signal: string | null, stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const why = lines.find((l) => /error|fatal/i.test(l)) ?? lines[lines.length - 1] ?? 'no message'
  return `${path.basename(bin)} --data-only failed (${signal ? `killed by ${signal}` : `exit ${code}`}): ${why}`
}

async function pgRows(file: string, wanted: WantedColumns, o: DumpRowsOptions): Promise<Map<string, TableRows>> {
  const bin = o.pgRestore ?? 'pg_restore'
  const args = ['--data-only', ...[...wanted.keys()].flatMap((t) => ['--table', t]), '--file', '-', file]
  const child = spawn(bin, args, { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new ClaraError(`${path.basename(bin)} not found: install it (it must be on PATH)`, EXIT.FATAL, 'ENOENT') : e))
    child.once('close', (code, signal) => resolve([code, signal]))
  })
  exited.catch(() => {})
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 64 * 1024) stderr += s
  })
  const c = new CopyCollector(wanted)
  const feed = lineFeeder(c)
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) feed.chunk(chunk)
  feed.end()
  const [code, signal] = await exited
  if (code !== 0) throw new ClaraError(failure(bin, code, signal, stderr), EXIT.FATAL, 'EDUMP')
  return c.result()
}

async function feedFile(file: string, c: RowCollector): Promise<Map<string, TableRows>> {
  const feed = lineFeeder(c)
  for await (const chunk of createReadStream(file)) feed.chunk(chunk as Buffer)
  feed.end()
  return c.result()
}

/** The wanted columns of each wanted table the dump holds (a table it does not hold is absent from the map). */
export async function readDumpRows(file: string, engine: Engine, wanted: WantedColumns, o: DumpRowsOptions): Promise<Map<string, TableRows>> {
  if (!wanted.size) return new Map()
  if (engine === 'sqlite') return sqliteRows(file, wanted)
  if (engine === 'postgres') return pgRows(file, wanted, o)
  return feedFile(file, new MysqlCollector(wanted))
}
