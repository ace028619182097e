/**
 * Rows of a few tables, read from the dump itself (not from any live database): the SQLite copy
 * opened read-only, `pg_restore --data-only --table=T -f -` on a PostgreSQL custom dump, or the
 * INSERT statements of a MariaDB/MySQL dump. Every value as text or null.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { parseCopy, type CopyBlock } from './copy-text.js'
import type { Artifact } from './model.js'
import { readSqlDump } from './sql-inserts.js'

export type TableRows = Record<string, string | null>[]

/** Run a tool, collecting stdout; rejects with its stderr's first line on failure. */
export function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout!.on('data', (c: Buffer) => out.push(c))
    child.stderr!.on('data', (c: Buffer) => err.push(c))
    child.on('error', (e) => reject(new Error(`${path.basename(bin)}: ${e.message}`)))
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'))
      else reject(new Error(`${path.basename(bin)} exited ${code}: ${Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? ''}`))
    })
    if (stdin) child.stdin!.end(stdin)
  })
}

/** The wanted columns of each row (all columns when `cols` is empty). */
function toRows(b: CopyBlock | undefined, cols: string[]): TableRows | null {
  if (!b) return null
  const keep = b.columns.map((c, i) => [c, i] as const).filter(([c]) => !cols.length || cols.includes(c))
  return b.rows.map((r) => Object.fromEntries(keep.map(([c, i]) => [c, r[i] ?? null])))
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v))

async function sqliteRows(file: string, tables: Record<string, string[]>): Promise<Map<string, TableRows | null>> {
  const db = await openDb(`sqlite://${file}`, { readonly: true })
  try {
    const have = new Set(await db.tables())
    const out = new Map<string, TableRows | null>()
    for (const [t, want] of Object.entries(tables)) {
      if (!have.has(t)) {
        out.set(t, null)
        continue
      }
      const cols = (await db.query<{ name: string }>('select name from pragma_table_info(?)', [t])).map((c) => c.name).filter((c) => !want.length || want.includes(c))
      const list = cols.map((c) => db.ident(c)).join(', ') || '*'
      out.set(t, (await db.query(`select ${list} from ${db.ident(t)}`)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, text(v)]))))
    }
    return out
  } finally {
    await db.close()
  }
}

/** Rows of each wanted table (only the named columns; all when none are named), or null for a table the dump does not hold. */
export async function dumpRows(dump: Artifact, tables: Record<string, string[]>, o: { pgRestore: string; env: NodeJS.ProcessEnv }): Promise<Map<string, TableRows | null>> {
  if (dump.kind === 'sqlite') return sqliteRows(dump.abs, tables)
  const out = new Map<string, TableRows | null>()
  if (dump.kind === 'pgdump') {
    for (const [t, cols] of Object.entries(tables)) {
      const txt = await runTool(o.pgRestore, ['--data-only', `--table=${t}`, '-f', '-', dump.abs], o.env)
      out.set(t, toRows(parseCopy(txt).find((b) => b.table === t), cols))
    }
    return out
  }
  if (dump.kind === 'sql') {
    const blocks = await readSqlDump(dump.abs, Object.keys(tables))
    for (const [t, cols] of Object.entries(tables)) out.set(t, toRows(blocks.get(t), cols))
    return out
  }
  throw new Error(`${dump.rel}: not a database dump this tool can read`)
}
