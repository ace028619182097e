/**
 * Per-table row count and content hash, engine-independent: rows in primary-key order, each
 * value in canonical text (canonical.ts), columns by name. Two databases holding the same
 * rows give the same hashes, e.g. a source and its restored copy. No knowledge of any schema.
 */
import { createHash } from 'node:crypto'
import type { Db, Row } from './db.js'
import { canonicalValue, kindOf, type ValueKind } from './canonical.js'

/** Names the hashing scheme, so a reader knows which definition a stored hash follows. */
export const TABLE_HASH_ALGORITHM = 'clara-table-hash/1'

export interface ColumnInfo {
  name: string
  /** the engine's declared type */
  type: string
  kind: ValueKind
}

export interface TableShape {
  columns: ColumnInfo[]
  primary_key: string[]
}

export interface TableHash {
  rows: number
  sha256: string
  primary_key: string[]
}

const PAGE = 5000
const KEY = '__clara_key'

/** Columns (in physical order) and primary-key columns (in key order) of one table. */
export async function tableShape(db: Db, table: string): Promise<TableShape> {
  if (db.engine === 'sqlite') {
    const rows = await db.query<{ name: string; type: string; pk: number }>('select name, type, pk from pragma_table_info(?) order by cid', [table])
    return {
      columns: rows.map((r) => ({ name: r.name, type: r.type ?? '', kind: kindOf('sqlite', r.type ?? '') })),
      primary_key: rows.filter((r) => r.pk > 0).sort((a, b) => a.pk - b.pk).map((r) => r.name),
    }
  }
  const schema = db.engine === 'postgres' ? 'current_schema()' : 'database()'
  const cols = await db.query<{ c: string; d: string; ct: string }>(
    `select column_name as c, data_type as d, ${db.engine === 'mysql' ? 'column_type' : 'udt_name'} as ct from information_schema.columns where table_schema = ${schema} and table_name = ? order by ordinal_position`,
    [table],
  )
  const pk = await db.query<{ c: string }>(
    `select k.column_name as c from information_schema.table_constraints t join information_schema.key_column_usage k on k.constraint_name = t.constraint_name and k.table_schema = t.table_schema and k.table_name = t.table_name where t.constraint_type = 'PRIMARY KEY' and t.table_schema = ${schema} and t.table_name = ? order by k.ordinal_position`,
    [table],
  )
  return { columns: cols.map((r) => ({ name: r.c, type: r.d, kind: kindOf(db.engine, r.d, r.ct) })), primary_key: pk.map((r) => r.c) }
}

/** The select-list expression for a column: PostgreSQL formats server-side to keep microseconds and exact numerics. */
function selectExpr(db: Db, col: ColumnInfo): string {
  const c = db.ident(col.name)
  if (db.engine !== 'postgres') return `${c} as ${c}`
  const fmt = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`
  if (col.kind === 'ts') return col.type.includes('with time zone') ? `to_char(${c} at time zone 'UTC', ${fmt}) as ${c}` : `to_char(${c}, ${fmt}) as ${c}`
  if (col.kind === 'date') return `to_char(${c}, 'YYYY-MM-DD') as ${c}`
  if (col.kind === 'bytes') return `encode(${c}, 'hex') as ${c}`
  if (col.kind === 'bool') return `${c} as ${c}`
  return `${c}::text as ${c}`
}

/** One canonical row: values in column-name order. */
function rowLine(cols: ColumnInfo[], row: Row): string {
  return JSON.stringify(cols.map((c) => canonicalValue(c.kind, row[c.name])))
}

function compareKeys(kinds: ValueKind[], a: (string | null)[], b: (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x === y) continue
    if (x === null) return -1
    if (y === null) return 1
    if (kinds[i] === 'int' && /^-?\d+$/.test(x) && /^-?\d+$/.test(y)) return BigInt(x) < BigInt(y) ? -1 : 1
    return x < y ? -1 : 1
  }
  return 0
}

/** Hash one table. Single integer keys are paged in SQL; other tables are sorted in memory. */
export async function hashTable(db: Db, table: string, shape?: TableShape): Promise<TableHash> {
  if (db.engine === 'mysql') await db.exec("set time_zone = '+00:00'")
  const { columns, primary_key } = shape ?? (await tableShape(db, table))
  const cols = [...columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const h = createHash('sha256').update(`columns\t${JSON.stringify(cols.map((c) => c.name))}\n`)
  const list = cols.map((c) => selectExpr(db, c)).join(', ')
  const t = db.ident(table)
  let rows = 0
  const pkCols = primary_key.map((n) => columns.find((c) => c.name === n)!)
  if (pkCols.length === 1 && pkCols[0].kind === 'int') {
    const k = db.ident(pkCols[0].name)
    let last: unknown
    for (;;) {
      const where = last === undefined ? '' : ` where ${k} > ?`
      const page = await db.query(`select ${list}, ${k} as ${db.ident(KEY)} from ${t}${where} order by ${k} limit ${PAGE}`, last === undefined ? [] : [last])
      for (const r of page) h.update(rowLine(cols, r) + '\n')
      rows += page.length
      if (page.length < PAGE) break
      last = page[page.length - 1][KEY]
    }
  } else {
    const all = (await db.query(`select ${list} from ${t}`)).map((r) => ({
      key: pkCols.map((c) => canonicalValue(c.kind, r[c.name])),
      line: rowLine(cols, r),
    }))
    const kinds = pkCols.map((c) => c.kind)
    all.sort((a, b) => compareKeys(kinds, a.key, b.key) || (a.line < b.line ? -1 : a.line > b.line ? 1 : 0))
    for (const r of all) h.update(r.line + '\n')
    rows = all.length
  }
  return { rows, sha256: h.digest('hex'), primary_key }
}

/** Hash every table (or the given ones), keyed by table name in sorted order. */
export async function hashTables(db: Db, tables?: string[]): Promise<Record<string, TableHash>> {
  const names = [...(tables ?? (await db.tables()))].sort()
  const out: Record<string, TableHash> = {}
  for (const name of names) out[name] = await hashTable(db, name)
  return out
}
