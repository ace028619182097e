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
    const json = await sqliteJsonColumns(db, table)
    return {
      columns: rows.map((r) => ({ name: r.name, type: r.type ?? '', kind: json.has(r.name) ? 'json' : kindOf('sqlite', r.type ?? '') })),
      primary_key: rows.filter((r) => r.pk > 0).sort((a, b) => a.pk - b.pk).map((r) => r.name),
    }
  }
  if (db.engine === 'postgres') {
    // pg_catalog, not information_schema: the latter costs ~20 ms a table.
    const rel = db.ident(table)
    const cols = await db.query<{ c: string; d: string }>(
      'select attname as c, format_type(atttypid, atttypmod) as d from pg_attribute where attrelid = ?::regclass and attnum > 0 and not attisdropped order by attnum',
      [rel],
    )
    const pk = await db.query<{ c: string }>(
      'select a.attname as c from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) where i.indrelid = ?::regclass and i.indisprimary order by array_position(i.indkey::int2[], a.attnum)',
      [rel],
    )
    return { columns: cols.map((r) => ({ name: r.c, type: r.d, kind: kindOf('postgres', r.d) })), primary_key: pk.map((r) => r.c) }
  }
  const cols = await db.query<{ c: string; d: string; ct: string }>(
    'select column_name as c, data_type as d, column_type as ct from information_schema.columns where table_schema = database() and table_name = ? order by ordinal_position',
    [table],
  )
  const pk = await db.query<{ c: string }>(
    "select column_name as c from information_schema.key_column_usage where constraint_name = 'PRIMARY' and table_schema = database() and table_name = ? order by ordinal_position",
    [table],
  )
  return { columns: cols.map((r) => ({ name: r.c, type: r.d, kind: kindOf(db.engine, r.d, r.ct) })), primary_key: pk.map((r) => r.c) }
}

/** SQLite has no JSON type: a JSON column is text with `CHECK (JSON_VALID("col"))` (how Django declares JSONField). */
async function sqliteJsonColumns(db: Db, table: string): Promise<Set<string>> {
  const r = await db.query<{ sql: string | null }>("select sql from sqlite_master where type = 'table' and name = ?", [table])
  return new Set([...(r[0]?.sql ?? '').matchAll(/json_valid\(\s*["`[]?([^"`\])\s]+)/gi)].map((m) => m[1]))
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
  // SQLite/MySQL store a Django UUIDField as 32 hex digits and an IP address without a netmask
  if (col.type === 'uuid') return `replace(${c}::text, '-', '') as ${c}`
  if (col.type === 'inet') return `case when masklen(${c}) = (case family(${c}) when 4 then 32 else 128 end) then host(${c}) else ${c}::text end as ${c}`
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
    // qualified: on PostgreSQL a bare name in ORDER BY means the (text-cast) output column
    const k = `${t}.${db.ident(pkCols[0].name)}`
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

/**
 * Every row of one table as hashTable sees it: its primary-key values and its canonical line (values
 * in column-name order), for telling which row differs where two hashes do. In memory: for tests.
 */
export async function tableRows(db: Db, table: string): Promise<{ primary_key: string[]; columns: string[]; rows: { key: (string | null)[]; line: string }[] }> {
  if (db.engine === 'mysql') await db.exec("set time_zone = '+00:00'")
  const { columns, primary_key } = await tableShape(db, table)
  const cols = [...columns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const pkCols = primary_key.map((n) => columns.find((c) => c.name === n)!)
  const rows = (await db.query(`select ${cols.map((c) => selectExpr(db, c)).join(', ')} from ${db.ident(table)}`)).map((r) => ({
    key: pkCols.map((c) => canonicalValue(c.kind, r[c.name])),
    line: rowLine(cols, r),
  }))
  return { primary_key, columns: cols.map((c) => c.name), rows }
}

/** Hash every table (or the given ones), keyed by table name in sorted order. */
export async function hashTables(db: Db, tables?: string[]): Promise<Record<string, TableHash>> {
  const names = [...(tables ?? (await db.tables()))].sort()
  const out: Record<string, TableHash> = {}
  for (const name of names) out[name] = await hashTable(db, name)
  return out
}
