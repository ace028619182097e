/**
 * `--clara` / `--db` resolved as C-LARA's settings do (clara-facts §1.1): `$CLARA` is the root;
 * `DB_TYPE=postgres` means `DATABASE_URL`, anything else SQLite at `$CLARA/db.sqlite3`. Flags win.
 */
import { statSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'

export function resolveClara(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const raw = flag ?? env.CLARA
  if (!raw) throw new UsageError('no C-LARA directory: pass --clara DIR or set CLARA')
  const dir = path.resolve(cwd, raw)
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`C-LARA directory not found: ${dir}`)
  return dir
}

export function resolveDb(flag: string | undefined, clara: string, env: NodeJS.ProcessEnv): string {
  if (flag) return flag
  if (env.DB_TYPE === 'postgres') {
    if (!env.DATABASE_URL) throw new UsageError('DB_TYPE=postgres but DATABASE_URL is not set (pass --db URL)')
    return env.DATABASE_URL
  }
  return `sqlite://${path.join(clara, 'db.sqlite3')}`
}
