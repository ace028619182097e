/**
 * The proof, once everything is in: no path column and no C-LARA JSON path file still points
 * into an old root (values kept because they would overflow are listed apart), and which other
 * text columns mention an old root (reported, not rewritten).
 *
 * The database half reads only the database, which nothing changes once its paths are rewritten,
 * so it can run on a unit lane while the units restore (units-step.ts): `proveDbAt`, with the old
 * roots known when it starts. Its result stands if the units found no other old root meanwhile
 * (a JSON file or pickle naming one): the proof then ran on the same roots as it would at the end;
 * otherwise it is run again at the end.
 */
import { openDb } from '@clara/shared/db'
import { PATH_COLUMNS } from '@clara/clara-model/path-columns'
import { proveDb, scanText } from './db-rewrite.js'
import type { DumpInfo } from './dump-info.js'
import { RootSet, rootKey, type RootInfo } from './old-roots.js'
import { proveFiles } from './proof-files.js'
import type { Report } from './report.js'

/** The database half of the proof, as plain data (it may come from a worker thread). */
export interface DbProof {
  /** `table.column` → values still pointing into an old root */
  left: Record<string, string[]>
  incidental: Record<string, number>
  /** the old roots it started from */
  from: RootInfo[]
  /** the old roots after it (it may detect more) */
  roots: RootInfo[]
}

/** Prove the database at `url` against these old roots (read-only). */
export async function proveDbAt(url: string, cwd: string, newRoot: string, from: RootInfo[]): Promise<DbProof> {
  const roots = RootSet.of(newRoot, from)
  const db = await openDb(url, { readonly: true, cwd })
  try {
    const left = await proveDb(db, PATH_COLUMNS, roots)
    const incidental = await scanText(db, PATH_COLUMNS, roots)
    return { left, incidental, from, roots: roots.list() }
  } finally {
    await db.close()
  }
}

/** An early proof holds when it started from every old root known now. */
export function earlyProofHolds(p: DbProof, now: RootInfo[]): boolean {
  const had = new Set(p.from.map(rootKey))
  return now.every((r) => had.has(rootKey(r)))
}

/** `early`: the database half, proved while the units restored (used when it still holds). */
export async function proveAll(o: { to: string; db: string | null; cwd: string }, dump: DumpInfo | null, roots: RootSet, keep: Set<string>, report: Report, early?: DbProof | null): Promise<void> {
  let dbLeft: Record<string, string[]> = {}
  const kept: string[] = []
  const useEarly = Boolean(dump && o.db && early && earlyProofHolds(early, roots.list()))
  if (dump && o.db) {
    const p = useEarly ? early! : await proveDbAt(o.db, o.cwd, roots.newRoot, roots.list())
    roots.merge(p.roots) // the roots it detected (it counts no rewrites)
    dbLeft = p.left
    report.incidental = p.incidental
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
    /** the database was proved while the units restored (false: at the end) */
    db_early: useEarly,
    db_remaining: dbLeft,
    kept_overflow: kept,
    files_checked: files.files,
    files_remaining: files.remaining,
    files_unreadable: files.unreadable,
  }
}
