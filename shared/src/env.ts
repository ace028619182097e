/**
 * The one environment contract of every clara-* tool: the C-LARA root is `--clara`, else `$CLARA`; the
 * database is `--db`, else `$DATABASE_URL` (whatever DB_TYPE says), else the SQLite file in the root.
 * A URL with a password belongs in DATABASE_URL (or ~/.pgpass, PGPASSWORD): the scripts never put one
 * on a command line, where every local user can read it in /proc/<pid>/cmdline.
 */
import { statSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from './cli.js'

/** The SQLite database inside the root when DATABASE_URL is not set (C-LARA's own default). */
export const DEFAULT_SQLITE = 'db.sqlite3'

/** `--clara`, else `$CLARA`, absolute; undefined when neither is given. It must be a directory. */
export function claraFrom(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const raw = flag || env.CLARA
  if (!raw) return undefined
  const dir = path.resolve(cwd, raw)
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`C-LARA directory not found: ${dir}`)
  return dir
}

/** As claraFrom, but one of them is required. */
export function requireClara(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const dir = claraFrom(flag, env, cwd)
  if (!dir) throw new UsageError('no C-LARA directory: pass --clara DIR or set CLARA')
  return dir
}

export interface DbChoice {
  url: string
  /** where it came from, for logs: `--db`, `DATABASE_URL` or `$CLARA/db.sqlite3` */
  from: string
}

/** `--db`, else `$DATABASE_URL`, else `sqlite://<clara>/db.sqlite3` (null without a root). */
export function databaseFrom(flag: string | undefined, env: NodeJS.ProcessEnv, clara: string | undefined): DbChoice | null {
  if (flag) return { url: flag, from: '--db' }
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, from: 'DATABASE_URL' }
  if (clara) return { url: `sqlite://${path.join(clara, DEFAULT_SQLITE)}`, from: `$CLARA/${DEFAULT_SQLITE}` }
  return null
}
