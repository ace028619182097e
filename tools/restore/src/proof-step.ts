/**
 * The proof, once everything is in: no path column and no C-LARA JSON path file still points
 * into an old root (values kept because they would overflow are listed apart), and which other
 * text columns mention an old root (reported, not rewritten).
 */
import { PATH_COLUMNS } from '@clara/clara-model/path-columns'
import { openTarget } from './db-load.js'
import { proveDb, scanText } from './db-rewrite.js'
import type { DumpInfo } from './dump-info.js'
import type { RootSet } from './old-roots.js'
import { proveFiles } from './proof-files.js'
import type { Report } from './report.js'

export async function proveAll(o: { to: string; db: string | null; cwd: string }, dump: DumpInfo | null, roots: RootSet, keep: Set<string>, report: Report): Promise<void> {
  let dbLeft: Record<string, string[]> = {}
  const kept: string[] = []
  if (dump && o.db) {
    const db = await openTarget(o.db, o.cwd)
    try {
      dbLeft = await proveDb(db, PATH_COLUMNS, roots)
      report.incidental = await scanText(db, PATH_COLUMNS, roots)
    } finally {
      await db.close()
    }
    for (const [col, vals] of Object.entries(dbLeft)) {
      const rest = vals.filter((v) => !keep.has(`${col}:${v.slice(0, v.indexOf(':'))}`))
      kept.push(...vals.filter((v) => !rest.includes(v)).map((v) => `${col} ${v}`))
      if (rest.length) dbLeft[col] = rest
      else delete dbLeft[col]
    }
  }
  const files = await proveFiles(o.to, roots)
  report.proof = {
    ok: !Object.keys(dbLeft).length && !Object.keys(files.remaining).length,
    db_checked: dump && o.db ? PATH_COLUMNS.map((c) => `${c.table}.${c.column}`) : [],
    db_remaining: dbLeft,
    kept_overflow: kept,
    files_checked: files.files,
    files_remaining: files.remaining,
    files_unreadable: files.unreadable,
  }
}
