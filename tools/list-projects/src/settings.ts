/**
 * The C-LARA install and its database, by the toolkit's one environment contract (shared/src/env.ts):
 * `--clara`, else `$CLARA`; `--db`, else `$DATABASE_URL`, else SQLite at `$CLARA/db.sqlite3`.
 */
import { databaseFrom, requireClara } from '@clara/shared/env'

export interface Settings {
  /** absolute path of the install (`$CLARA`) */
  clara: string
  /** the database URL (never printed unredacted) */
  db: string
  /** where the DB URL came from, for logs: `--db`, `DATABASE_URL` or `$CLARA/db.sqlite3` */
  dbFrom: string
}

export function resolveSettings(opts: { clara?: string; db?: string }, env: NodeJS.ProcessEnv, cwd: string): Settings {
  const clara = requireClara(opts.clara, env, cwd)
  const db = databaseFrom(opts.db, env, clara)!
  return { clara, db: db.url, dbFrom: db.from }
}
