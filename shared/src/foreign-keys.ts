/** The foreign keys of a database, read from its own catalogue (no domain knowledge). */
import type { Db } from './db.js'

/** `table.column` references `refTable.refColumn` (single-column keys; a composite key gives one entry per column pair). */
export interface ForeignKey {
  table: string
  column: string
  refTable: string
  refColumn: string
}

/** Every foreign key of the current schema (SQLite: pragma_foreign_key_list; PostgreSQL: pg_constraint; MySQL: information_schema). */
export async function foreignKeys(db: Db): Promise<ForeignKey[]> {
  if (db.engine === 'sqlite') {
    const out: ForeignKey[] = []
    for (const t of await db.tables()) {
      const rows = await db.query<{ table: string; from: string; to: string | null }>('select "table", "from", "to" from pragma_foreign_key_list(?)', [t])
      for (const r of rows) out.push({ table: t, column: r.from, refTable: r.table, refColumn: r.to ?? 'id' })
    }
    return out
  }
  if (db.engine === 'postgres') {
    return db.query<ForeignKey & Record<string, unknown>>(
      `select c.conrelid::regclass::text as "table", a.attname as "column", c.confrelid::regclass::text as "refTable", ra.attname as "refColumn"
         from pg_constraint c
         join lateral unnest(c.conkey, c.confkey) as k(col, refcol) on true
         join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.col
         join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = k.refcol
        where c.contype = 'f' and c.connamespace = current_schema()::regnamespace
        order by 1, 2`,
    )
  }
  return db.query<ForeignKey & Record<string, unknown>>(
    `select table_name as \`table\`, column_name as \`column\`, referenced_table_name as refTable, referenced_column_name as refColumn
       from information_schema.key_column_usage
      where table_schema = database() and referenced_table_name is not null
      order by 1, 2`,
  )
}
