/**
 * Resolve the C-LARA install and its database the way C-LARA's settings do (clara-facts §1.1):
 * `$CLARA` is the root; `DB_TYPE=postgres` means `DATABASE_URL`, anything else SQLite at
 * `$CLARA/db.sqlite3`. Flags win over the environment.
 */
import { statSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'

export interface Settings {
  /** absolute path of the install (`$CLARA`) */
  clara: string
  /** the database URL (never printed unredacted) */
  db: string
  /** where the DB URL came from, for logs: `--db`, `DATABASE_URL` or `$CLARA/db.sqlite3` */
  dbFrom: string
}

/** The C-LARA root: `--clara`, else `$CLARA`; it must be a directory. */
export function resolveClara(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const raw = flag ?? env.CLARA
  if (!raw) throw new UsageError('no C-LARA directory: pass --clara DIR or set CLARA')
  const dir = path.resolve(cwd, raw)
  let isDir = false
  try {
    isDir = statSync(dir).isDirectory()
  } catch {
    isDir = false
  }
  if (!isDir) throw new UsageError(`C-LARA directory not found: ${dir}`)
  return dir
}

/** The DB URL: `--db`, else `DATABASE_URL` when `DB_TYPE=postgres`, else SQLite in the root. */
export function resolveDb(flag: string | undefined, clara: string, env: NodeJS.ProcessEnv): { db: string; dbFrom: string } {
  if (flag) return { db: flag, dbFrom: '--db' }
  if (env.DB_TYPE === 'postgres') {
    if (!env.DATABASE_URL) throw new UsageError('DB_TYPE=postgres but DATABASE_URL is not set (pass --db URL)')
    return { db: env.DATABASE_URL, dbFrom: 'DATABASE_URL' }
  }
  return { db: `sqlite://${path.join(clara, 'db.sqlite3')}`, dbFrom: '$CLARA/db.sqlite3' }
}

export function resolveSettings(opts: { clara?: string; db?: string }, env: NodeJS.ProcessEnv, cwd: string): Settings {
  const clara = resolveClara(opts.clara, env, cwd)
  return { clara, ...resolveDb(opts.db, clara, env) }
}
