/**
 * What was live when a run was taken, to compare a restore of that run with: the data trees that
 * restore puts back byte-exact (names, kinds, modes, sizes, contents, file mtimes to the second)
 * and every table's rows. Left out by design (tools/restore/README.md): the JSON path files whose
 * values restore rewrites to the new root (`clara_content/<project>/metadata.json`,
 * `…/coherent_images_v2_project_dir/params.json`, `prompt_templates/<name>/metadata.json`), the
 * pickled texts whose old-root paths it moves (`clara_content/<project>/internalised_and_annotated_text*.pickle`,
 * checked string by string in tools/restore/test/site.ts and the round trips' kit-files.ts), folder
 * mtimes (not every archive records them), and the four path columns' contents (rewritten; their
 * row counts are compared).
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { subtreeLines } from './run-read.js'
import { openDb } from '@clara/shared/db'
import { tableRows } from '@clara/shared/table-hash'
import { tableHashes } from './restored-tree.js'

export const DATA_ROOTS = ['clara_content', 'images/image_repository_orm', 'LARA_legacy', 'audio/tts_repository_orm', 'gloss_images', 'prompt_templates']
export const PATH_TABLES = ['orm_audio_metadata', 'orm_image_metadata', 'clara_app_archivedimagemetadata', 'orm_image_gloss_metadata']
const REWRITTEN = /^[^/]+\/metadata\.json$|\/coherent_images_v2_project_dir\/params\.json$|^[^/]+\/internalised_and_annotated_text(_phonetic)?\.pickle$/

export interface Snapshot {
  /** per data root: its digest lines (kind, mode, mtime in s, size, content, path; tab-separated) */
  trees: Map<string, string[]>
  /** per table: "<rows> <sha256>" (or "<rows> rows" for a path table) */
  tables: Map<string, string>
  /** per table whose content is compared: each row's canonical line by its primary key (JSON) */
  rows: Map<string, Map<string, string>>
}

async function tree(root: string): Promise<string[]> {
  if (!existsSync(root)) return []
  return (await subtreeLines(root))
    .map((l) => l.split('\t'))
    .filter((f) => !REWRITTEN.test(f[5]))
    .map((f) => (f[0] === 'dir' ? [f[0], f[1], '-', ...f.slice(3)] : f).join('\t'))
}

/** Each row's line by its key (a table without a primary key: by the line itself, numbered when repeated). */
async function rowsOf(dbUrl: string, tables: string[]): Promise<Map<string, Map<string, string>>> {
  const db = await openDb(dbUrl, { readonly: true })
  try {
    const out = new Map<string, Map<string, string>>()
    for (const t of tables) {
      const { primary_key, rows } = await tableRows(db, t)
      const byKey = new Map<string, string>()
      for (const r of rows) {
        let k = primary_key.length ? JSON.stringify(Object.fromEntries(primary_key.map((c, i) => [c, r.key[i]]))) : r.line
        for (let n = 2; !primary_key.length && byKey.has(k); n++) k = `${r.line} #${n}`
        byKey.set(k, r.line)
      }
      out.set(t, byKey)
    }
    return out
  } finally {
    await db.close()
  }
}

export async function snapshot(clara: string, dbUrl: string): Promise<Snapshot> {
  const trees = new Map<string, string[]>()
  for (const r of DATA_ROOTS) trees.set(r, await tree(path.join(clara, r)))
  const tables = await tableHashes(dbUrl)
  for (const t of PATH_TABLES) if (tables.has(t)) tables.set(t, `${tables.get(t)!.split(' ')[0]} rows`)
  const rows = await rowsOf(dbUrl, [...tables.keys()].filter((t) => !PATH_TABLES.includes(t)))
  return { trees, tables, rows }
}

/** One difference between the live install and its restore: what it concerns (a path, a table, a row) and what differs. */
export interface Difference {
  /** `<data root>/<path>`, `table <name>`, or `table <name> row <key>` */
  where: string
  what: string
  live?: string
  restored?: string
}

const FIELDS = ['kind', 'mode', 'mtime', 'size', 'content'] as const

/** A tree's lines by path. */
const byPath = (lines: string[]) => new Map(lines.map((l) => [l.split('\t')[5], l.split('\t').slice(0, 5)]))
const shown = (f: string[]) => f.map((v, i) => `${FIELDS[i]} ${v}`).join(', ')

/**
 * Every difference between two snapshots (the live one and the restored one), one per path, table or
 * row, in a stable order: entries missing from the restore, entries only in it, entries that differ
 * (naming the fields: kind, mode, mtime, size, content); tables missing or extra; rows missing, extra
 * or changed; a path table's row count.
 */
export function compareSnapshots(live: Snapshot, restored: Snapshot): Difference[] {
  const out: Difference[] = []
  for (const [root, wantLines] of live.trees) {
    const want = byPath(wantLines)
    const got = byPath(restored.trees.get(root) ?? [])
    for (const [p, w] of want) {
      const g = got.get(p)
      if (!g) out.push({ where: `${root}/${p}`, what: 'missing from the restore', live: shown(w) })
      else {
        const fields = FIELDS.filter((_, i) => w[i] !== g[i])
        if (fields.length) out.push({ where: `${root}/${p}`, what: `${fields.join(', ')} differ${fields.length > 1 ? '' : 's'}`, live: shown(w), restored: shown(g) })
      }
    }
    for (const [p, g] of got) if (!want.has(p)) out.push({ where: `${root}/${p}`, what: 'not in the live install', restored: shown(g) })
  }
  for (const root of restored.trees.keys()) if (!live.trees.has(root)) out.push({ where: root, what: 'a data root only in the restore' })
  for (const [t, v] of live.tables) {
    const got = restored.tables.get(t)
    if (got === undefined) {
      out.push({ where: `table ${t}`, what: 'missing from the restore', live: v })
      continue
    }
    const [wantRows, gotRows] = [live.rows.get(t), restored.rows.get(t)]
    if (!wantRows || !gotRows) {
      if (got !== v) out.push({ where: `table ${t}`, what: 'row count differs', live: v, restored: got })
      continue
    }
    const before = out.length
    for (const [k, line] of wantRows) {
      const g = gotRows.get(k)
      if (g === undefined) out.push({ where: `table ${t} row ${k}`, what: 'missing from the restore', live: line })
      else if (g !== line) out.push({ where: `table ${t} row ${k}`, what: 'changed', live: line, restored: g })
    }
    for (const [k, line] of gotRows) if (!wantRows.has(k)) out.push({ where: `table ${t} row ${k}`, what: 'not in the live install', restored: line })
    if (out.length === before && got !== v) out.push({ where: `table ${t}`, what: 'hash differs (same rows by key: the columns differ)', live: v, restored: got })
  }
  for (const t of restored.tables.keys()) if (!live.tables.has(t)) out.push({ where: `table ${t}`, what: 'only in the restore', restored: restored.tables.get(t) })
  return out
}

/** One line for a difference. */
export const differenceLine = (d: Difference): string =>
  `${d.where}: ${d.what}${d.live !== undefined ? ` (live: ${d.live.slice(0, 120)})` : ''}${d.restored !== undefined ? ` (restored: ${d.restored.slice(0, 120)})` : ''}`

/** Lines naming what differs between two snapshots (at most `max`, then how many more). */
export function diffSnapshots(live: Snapshot, restored: Snapshot, max = 15): string[] {
  const out = compareSnapshots(live, restored).map(differenceLine)
  return out.length > max ? [...out.slice(0, max), `… and ${out.length - max} more`] : out
}
