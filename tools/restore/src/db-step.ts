/**
 * The database, restored first: refuse a target that holds tables (unless `--force`, or the
 * tables are from our own interrupted attempt at this same dump), load the dump, rewrite the path
 * columns. `.clara-restore/db.json` records the attempt (`started`, then `done`), so a rerun
 * reloads a half-done database and skips a finished one.
 */
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { parseDbUrl, redactUrl } from '@clara/shared/db'
import { PATH_COLUMNS } from '@clara/clara-model/path-columns'
import { loadDump, openTarget, targetTables } from './db-load.js'
import { rewriteDb, type StyleCounts } from './db-rewrite.js'
import type { DumpInfo } from './dump-info.js'
import { readJson } from '@clara/shared/read-json'
import type { StateDir } from './markers.js'
import type { RootSet } from './old-roots.js'

interface DbState {
  dump_sha256: string
  target: string
  phase: 'started' | 'done'
  rewrites?: Record<string, StyleCounts>
}

const stateFile = (s: StateDir) => path.join(s.dir, 'db.json')

export interface DbPlan {
  /** the target already holds tables */
  tables: number
  /** our own earlier attempt at this dump into this target */
  previous: DbState | null
}

/** Checks before anything is written: same engine, and an empty target (or ours, or --force). */
export async function checkDbTarget(d: DumpInfo, url: string, cwd: string, state: StateDir, force: boolean): Promise<DbPlan> {
  const engine = parseDbUrl(url, cwd).engine
  if (engine !== d.engine) {
    throw new ClaraError(`the dump is ${d.engine} but --db is ${engine}: cross-engine restores are not supported (restore into a ${d.engine} database)`, EXIT.USAGE, 'EENGINE')
  }
  const tables = (await targetTables(url, cwd)).length
  const prev = await readJson<DbState>(stateFile(state))
  const previous = prev && prev.dump_sha256 === d.sha256 && prev.target === redactUrl(url) ? prev : null
  if (tables && !previous && !force) {
    throw new ClaraError(`the target database ${redactUrl(url)} already holds ${tables} tables: refusing to restore over it (--force replaces them)`, EXIT.FATAL, 'ENOTEMPTY')
  }
  return { tables, previous }
}

/** Load and rewrite; returns the rewrite counts and whether it was already done. */
export async function restoreDb(d: DumpInfo, url: string, cwd: string, env: NodeJS.ProcessEnv, state: StateDir, plan: DbPlan, roots: RootSet, keep: Set<string>): Promise<{ skipped: boolean; rewrites: Record<string, StyleCounts> }> {
  if (plan.previous?.phase === 'done' && plan.tables) return { skipped: true, rewrites: plan.previous.rewrites ?? {} }
  const base = { dump_sha256: d.sha256, target: redactUrl(url) }
  await writeJsonAtomic(stateFile(state), { ...base, phase: 'started' })
  await loadDump(d, url, cwd, env, plan.tables > 0)
  const db = await openTarget(url, cwd)
  let rewrites
  try {
    rewrites = await rewriteDb(db, PATH_COLUMNS, roots, keep)
  } finally {
    await db.close()
  }
  await writeJsonAtomic(stateFile(state), { ...base, phase: 'done', rewrites })
  return { skipped: false, rewrites }
}
