/**
 * Command lines and environments for the database clients. A password never reaches a command
 * line (every user can read the process table): it goes to PGPASSWORD / MYSQL_PWD only.
 */
import { urlPassword } from '@clara/shared/db'

export interface ClientCall {
  args: string[]
  env: NodeJS.ProcessEnv
  secrets: (string | undefined)[]
}

/** The URL without its password (and without a `password=` query parameter). */
export function withoutPassword(url: string): string {
  const u = new URL(url)
  u.password = ''
  u.searchParams.delete('password')
  return u.toString()
}

/** `pg_restore` into the database of `url`. `clean` drops what is there first (`--force`). */
export function pgRestoreCall(url: string, dump: string, env: NodeJS.ProcessEnv, clean: boolean): ClientCall {
  const pw = urlPassword(url)
  const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction']
  if (clean) args.push('--clean', '--if-exists')
  args.push(`--dbname=${withoutPassword(url)}`, dump)
  return { args, env: pw ? { ...env, PGPASSWORD: pw } : env, secrets: [pw, env.PGPASSWORD] }
}

/** `mysql DB < dump.sql`. */
export function mysqlCall(url: string, env: NodeJS.ProcessEnv): ClientCall {
  const u = new URL(url)
  const pw = urlPassword(url)
  const args = ['--default-character-set=utf8mb4', '--binary-mode']
  if (u.hostname) args.push(`--host=${u.hostname}`, '--protocol=tcp')
  if (u.port) args.push(`--port=${u.port}`)
  if (u.username) args.push(`--user=${decodeURIComponent(u.username)}`)
  args.push(decodeURIComponent(u.pathname.replace(/^\//, '')))
  return { args, env: pw ? { ...env, MYSQL_PWD: pw } : env, secrets: [pw, env.MYSQL_PWD] }
}
