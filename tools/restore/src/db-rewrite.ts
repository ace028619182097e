/**
 * After the load: rewrite the path columns into the new root (one transaction), then prove no
 * value still points into an old root, and scan every other text column for old roots (reported,
 * not rewritten: task messages, API prompts and pickled payloads hold incidental paths).
 */
import type { Db } from '@clara/shared/db'
import { tableShape } from '@clara/shared/table-hash'
import type { PathColumn } from '@clara/clara-model/path-columns'
import type { PathStyle } from '@clara/clara-model/path-styles'
import type { RootSet } from './old-roots.js'

export type StyleCounts = Partial<Record<PathStyle, number>>
export const colName = (c: PathColumn) => `${c.table}.${c.column}`

async function present(db: Db, cols: PathColumn[]): Promise<PathColumn[]> {
  const tables = new Set(await db.tables())
  return cols.filter((c) => tables.has(c.table))
}

async function values(db: Db, c: PathColumn): Promise<{ k: unknown; v: unknown }[]> {
  return db.query(`select ${db.ident(c.key)} as k, ${db.ident(c.column)} as v from ${db.ident(c.table)} order by ${db.ident(c.key)}`)
}

/** Rewrite every path column; `keep` holds `table.column:key` values left alone (overflow under --force). */
export async function rewriteDb(db: Db, cols: PathColumn[], roots: RootSet, keep: Set<string>): Promise<Record<string, StyleCounts>> {
  const counts: Record<string, StyleCounts> = {}
  await db.exec('begin')
  try {
    for (const c of await present(db, cols)) {
      const n: StyleCounts = (counts[colName(c)] = {})
      const sql = `update ${db.ident(c.table)} set ${db.ident(c.column)} = ? where ${db.ident(c.key)} = ? and ${db.ident(c.column)} = ?`
      for (const { k, v } of await values(db, c)) {
        if (keep.has(`${colName(c)}:${k}`)) continue
        const r = roots.rewrite(v)
        if (!r) continue
        await db.query(sql, [r.value, k, v])
        n[r.style] = (n[r.style] ?? 0) + 1
      }
    }
    await db.exec('commit')
  } catch (err) {
    await db.exec('rollback').catch(() => {})
    throw err
  }
  return counts
}

/** Values of the path columns that still point into an old root: `table.column` → examples. */
export async function proveDb(db: Db, cols: PathColumn[], roots: RootSet): Promise<Record<string, string[]>> {
  const left: Record<string, string[]> = {}
  for (const c of await present(db, cols)) {
    for (const { k, v } of await values(db, c)) {
      if (roots.rewrite(v, false)) (left[colName(c)] ??= []).push(`${k}: ${String(v)}`)
    }
  }
  return left
}

const likeEsc = (s: string) => s.replace(/[!%_]/g, (c) => '!' + c)

/** The literal strings an old root appears as in free text (both slash forms for Windows roots). */
export function rootNeedles(roots: RootSet): string[] {
  const out = new Set<string>()
  for (const r of roots.list()) {
    out.add(r.root)
    if (r.windows) out.add(r.root.replace(/\//g, '\\'))
  }
  return [...out]
}

/** Rows of every other text column that mention an old root: `table.column` → count. */
export async function scanText(db: Db, skip: PathColumn[], roots: RootSet): Promise<Record<string, number>> {
  const needles = rootNeedles(roots)
  const found: Record<string, number> = {}
  if (!needles.length) return found
  const skipped = new Set(skip.map(colName))
  const asText = (c: string) => (db.engine === 'mysql' ? `cast(${c} as char)` : `cast(${c} as text)`)
  for (const t of await db.tables()) {
    const shape = await tableShape(db, t)
    for (const col of shape.columns) {
      if ((col.kind !== 'text' && col.kind !== 'json') || skipped.has(`${t}.${col.name}`)) continue
      const where = needles.map(() => `${asText(db.ident(col.name))} like ? escape '!'`).join(' or ')
      const r = await db.query<{ n: unknown }>(`select count(*) as n from ${db.ident(t)} where ${where}`, needles.map((s) => `%${likeEsc(s)}%`))
      const n = Number(r[0]?.n ?? 0)
      if (n) found[`${t}.${col.name}`] = n
    }
  }
  return found
}
