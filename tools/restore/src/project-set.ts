/**
 * The database rows of one project, found by following foreign keys from its row downwards
 * (parent to child, never up), plus the rows that name it by a string key no foreign key covers.
 * Generic over the schema: the caller gives the tables' rows (values as text or null), the
 * foreign keys, where to start and which tables to leave out.
 */
import type { ForeignKey } from '@clara/shared/foreign-keys'
import type { TableRows } from '@clara/shared/dump-rows'

export type Value = string | null

/** Where the walk starts: the rows of `table` whose `column` is one of `values`. */
export interface Seed {
  table: string
  column: string
  values: string[]
}

/** The tables a walk from `start` can reach through foreign keys, `start` first. */
export function reachableTables(start: string[], fks: ForeignKey[], skip: Set<string>): string[] {
  const seen = new Set(start)
  const queue = [...start]
  while (queue.length) {
    const t = queue.shift()!
    for (const fk of fks) {
      if (fk.refTable === t && !skip.has(fk.table) && !seen.has(fk.table)) {
        seen.add(fk.table)
        queue.push(fk.table)
      }
    }
  }
  return [...seen]
}

/** The selected rows of every table (indices into that table's rows). */
export type Selection = Map<string, Set<number>>

/** Select the seeds' rows, then every row that references a selected row through a foreign key, until nothing is added. */
export function selectRows(tables: Map<string, TableRows>, fks: ForeignKey[], seeds: Seed[], skip: Set<string>): Selection {
  const sel: Selection = new Map()
  const col = (t: string, c: string) => tables.get(t)?.columns.indexOf(c) ?? -1
  const add = (table: string, column: string, values: Set<string>): boolean => {
    const t = tables.get(table)
    const i = col(table, column)
    if (!t || i < 0 || !values.size) return false
    const s = sel.get(table) ?? new Set<number>()
    const before = s.size
    t.rows.forEach((r, n) => {
      if (r[i] !== null && values.has(r[i]!)) s.add(n)
    })
    if (s.size) sel.set(table, s)
    return s.size > before
  }
  for (const seed of seeds) add(seed.table, seed.column, new Set(seed.values))
  for (let changed = true; changed; ) {
    changed = false
    for (const fk of fks) {
      if (skip.has(fk.table) || !sel.has(fk.refTable)) continue
      const parent = tables.get(fk.refTable)!
      const i = col(fk.refTable, fk.refColumn)
      if (i < 0) continue
      const values = new Set([...sel.get(fk.refTable)!].map((n) => parent.rows[n][i]).filter((v): v is string => v !== null))
      if (add(fk.table, fk.column, values)) changed = true
    }
  }
  return sel
}

/** The selected tables, every parent before its children (foreign keys among them); a cycle keeps its tables in name order. */
export function parentsFirst(tables: string[], fks: ForeignKey[]): string[] {
  const within = fks.filter((f) => f.table !== f.refTable && tables.includes(f.table) && tables.includes(f.refTable))
  const out: string[] = []
  const left = new Set([...tables].sort())
  while (left.size) {
    const ready = [...left].filter((t) => !within.some((f) => f.table === t && left.has(f.refTable)))
    const next = ready.length ? ready : [[...left][0]]
    for (const t of next) {
      out.push(t)
      left.delete(t)
    }
  }
  return out
}

/** The rows of a selection as objects (column → value), per table, in the given table order. */
export function selectedRows(tables: Map<string, TableRows>, sel: Selection, order: string[]): { table: string; columns: string[]; rows: Value[][] }[] {
  return order.filter((t) => sel.has(t)).map((t) => {
    const tr = tables.get(t)!
    return { table: t, columns: tr.columns, rows: [...sel.get(t)!].sort((a, b) => a - b).map((n) => tr.rows[n]) }
  })
}
