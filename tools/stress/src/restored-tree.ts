/**
 * A restored C-LARA root, compared with another: every entry's kind, mode, size, content and
 * file mtime (tree-hash.ts). Left out: clara-restore's own state (.clara-restore/), its report
 * (restore_report.json, which holds times) and folder mtimes (a folder's mtime changes whenever
 * an entry is added to it, and restore adds units one by one).
 */
import { treeDigest } from '@clara/shared/tree-hash'
import { hashTables } from '@clara/shared/table-hash'
import { openDb } from '@clara/shared/db'

export const RESTORE_OWN = ['.clara-restore', 'restore_report.json']

/** A stage or a folder moved aside while a restore commits (`.<name>.clara-restore-<tag>.tmp|.old`). */
export const isRestoreTemp = (rel: string) => /(^|\/)\.[^/]*\.clara-restore-[^/]*\.(tmp|old)(\/|$)/.test(rel) || /(^|\/)\.[^/]+\.tmp$/.test(rel)

export interface TreeLines {
  /** path → the rest of its digest line */
  byPath: Map<string, string>
}

export async function restoredTree(root: string, extraExclude: (rel: string) => boolean = () => false): Promise<TreeLines> {
  const d = await treeDigest(root, { exclude: (rel) => RESTORE_OWN.includes(rel) || isRestoreTemp(rel) || extraExclude(rel) })
  const byPath = new Map<string, string>()
  for (const line of d.lines) {
    const [kind, mode, mtime, size, sum, p] = line.split('\t')
    byPath.set(p, [kind, mode, kind === 'dir' ? '-' : mtime, size, sum].join('\t'))
  }
  return { byPath }
}

/** Lines naming what differs between a restored tree and the expected one (at most `max`). */
export function diffTrees(want: TreeLines, got: TreeLines, max = 12): string[] {
  const out: string[] = []
  for (const [p, v] of want.byPath) {
    if (!got.byPath.has(p)) out.push(`${p}: missing`)
    else if (got.byPath.get(p) !== v) out.push(`${p}: differs (${v.replace(/\t/g, ' ').slice(0, 90)} ≠ ${got.byPath.get(p)!.replace(/\t/g, ' ').slice(0, 90)})`)
  }
  for (const p of got.byPath.keys()) if (!want.byPath.has(p)) out.push(`${p}: not expected`)
  return out.length > max ? [...out.slice(0, max), `… and ${out.length - max} more`] : out
}

/** Per-table row count and content hash of a database, as one comparable string per table. */
export async function tableHashes(url: string): Promise<Map<string, string>> {
  const db = await openDb(url, { readonly: true })
  try {
    const h = await hashTables(db)
    return new Map(Object.entries(h).map(([t, v]) => [t, `${v.rows} ${v.sha256}`]))
  } finally {
    await db.close()
  }
}

export function diffTables(want: Map<string, string>, got: Map<string, string>): string[] {
  const out: string[] = []
  for (const [t, v] of want) if (got.get(t) !== v) out.push(`table ${t}: ${got.has(t) ? `rows/hash ${got.get(t)} ≠ ${v}` : 'missing'}`)
  for (const t of got.keys()) if (!want.has(t)) out.push(`table ${t}: not expected`)
  return out
}
