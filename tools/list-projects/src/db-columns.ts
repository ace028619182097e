/**
 * Read whole tables so that SQLite, PostgreSQL and MySQL give equal values: the column types come
 * from each engine's catalog, and every value is normalised by kind (booleans true/false,
 * timestamps RFC3339 UTC with microseconds, 64-bit ids as numbers, JSON parsed with sorted keys).
 */
import type { Db, Row } from '@clara/shared/db'
import { canonicalDecimal, canonicalTimestamp, kindOf, sortKeys, type ValueKind } from '@clara/shared/canonical'

export type Columns = Map<string, ValueKind>

/** The columns of `table` and their kinds; empty when the table does not exist. */
export async function tableColumns(db: Db, table: string): Promise<Columns> {
  const cols: Columns = new Map()
  if (db.engine === 'sqlite') {
    const info = await db.query<{ name: string; type: string }>(`select name, type from pragma_table_info(?)`, [table])
    const [ddl] = await db.query<{ sql: string }>(`select sql from sqlite_master where type = 'table' and name = ?`, [table])
    for (const c of info) {
      // Django's JSONField on SQLite is `text CHECK (JSON_VALID("col") ...)`
      const json = ddl?.sql.includes(`JSON_VALID("${c.name}")`)
      cols.set(c.name, json ? 'json' : kindOf('sqlite', c.type))
    }
    return cols
  }
  const schema = db.engine === 'postgres' ? 'current_schema()' : 'database()'
  const rows = await db.query<{ name: string; type: string; ctype: string }>(
    `select column_name as name, data_type as type, ${db.engine === 'mysql' ? 'column_type' : `''`} as ctype from information_schema.columns where table_schema = ${schema} and table_name = ? order by ordinal_position`,
    [table],
  )
  for (const c of rows) cols.set(c.name, kindOf(db.engine, c.type, c.ctype))
  if (db.engine === 'mysql') await markMysqlJson(db, table, cols)
  return cols
}

/** MariaDB spells JSONField `longtext CHECK (json_valid(col))`. */
async function markMysqlJson(db: Db, table: string, cols: Columns): Promise<void> {
  const checks = await db
    .query<{ clause: string }>(`select check_clause as clause from information_schema.check_constraints where constraint_schema = database() and table_name = ?`, [table])
    .catch(() => [])
  for (const { clause } of checks) {
    const m = /json_valid\(`?([^`)]+)`?\)/i.exec(clause)
    if (m && cols.has(m[1])) cols.set(m[1], 'json')
  }
}

/** A select-list expression that brings a column back as text the normaliser understands. */
function selectExpr(db: Db, name: string, kind: ValueKind): string {
  const id = db.ident(name)
  if (db.engine !== 'postgres') return id
  if (kind === 'ts') return `to_char(${id} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as ${id}`
  if (kind === 'date') return `to_char(${id}, 'YYYY-MM-DD') as ${id}`
  if (kind === 'json' || kind === 'num') return `${id}::text as ${id}`
  return id
}

/** `select <every column> from table [where …] order by …`, rows normalised, keys sorted. */
export async function selectRows(db: Db, table: string, cols: Columns, tail = '', params: unknown[] = []): Promise<Row[]> {
  if (!cols.size) return []
  const list = [...cols].map(([n, k]) => selectExpr(db, n, k)).join(', ')
  const rows = await db.query(`select ${list} from ${db.ident(table)} ${tail}`, params)
  return rows.map((r) => normaliseRow(r, cols))
}

export function normaliseRow(r: Row, cols: Columns): Row {
  const out: Row = {}
  for (const name of [...cols.keys()].sort()) out[name] = normaliseValue(r[name], cols.get(name)!)
  return out
}

export function normaliseValue(v: unknown, kind: ValueKind): unknown {
  if (v === null || v === undefined) return null
  switch (kind) {
    case 'bool':
      return ['1', 't', 'true'].includes(String(v).toLowerCase())
    case 'int':
      return typeof v === 'number' ? v : Number(v)
    case 'num':
      return Number(canonicalDecimal(String(v)))
    case 'ts':
      return canonicalTimestamp(v)
    case 'date':
      return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10)
    case 'json':
      return sortKeys(typeof v === 'string' ? parseJson(v) : v)
    case 'bytes':
      return Buffer.isBuffer(v) ? v.toString('base64') : String(v)
    default:
      return Buffer.isBuffer(v) ? v.toString('utf8') : v
  }
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s)
  } catch {
    return s
  }
}
