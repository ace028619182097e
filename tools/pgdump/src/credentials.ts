/**
 * Credentials for the dump tools: from the URL, the environment, `.pgpass` or `.my.cnf`.
 * A password reaches a child only through its environment or a mode-600 defaults file that is
 * removed afterwards: never its command line, which any user can read in the process table.
 */
import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { urlPassword } from '@clara/shared/db'

/** Every string that must never appear in output: the URL's password and the password variables. */
export function knownSecrets(url: string, env: NodeJS.ProcessEnv, extra: (string | undefined)[] = []): string[] {
  return [urlPassword(url), env.PGPASSWORD, env.MYSQL_PWD, ...extra].filter((s): s is string => Boolean(s))
}

/** The URL with its password removed (user, host, port, database and query kept). */
export function urlWithoutPassword(url: string): string {
  const u = new URL(url)
  u.password = ''
  u.searchParams.delete('password')
  return u.toString()
}

/** pg_dump's connection: a password-free URI for `--dbname`, and PGPASSWORD in its environment. (.pgpass is read by libpq itself.) */
export function pgChild(url: string, env: NodeJS.ProcessEnv): { dbname: string; env: NodeJS.ProcessEnv } {
  const pw = urlPassword(url)
  return { dbname: urlWithoutPassword(url), env: pw ? { ...env, PGPASSWORD: pw } : { ...env } }
}

/** Parse an option file (`[section]` then `key = value`, quotes and `#`/`;` comments allowed). */
export function parseMyCnf(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  let section = ''
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const sec = /^\[(.+)\]$/.exec(line)
    if (sec) {
      section = sec[1].trim().toLowerCase()
      continue
    }
    const kv = /^([A-Za-z0-9_-]+)\s*(?:=\s*(.*))?$/.exec(line)
    if (!kv) continue
    let v = (kv[2] ?? '').trim()
    const q = /^(["'])(.*)\1$/.exec(v)
    if (q) v = q[1] === '"' ? q[2].replace(/\\(.)/g, '$1') : q[2]
    ;(out[section] ??= {})[kv[1].replace(/_/g, '-').toLowerCase()] = v
  }
  return out
}

export interface MysqlConn {
  host?: string
  port?: string
  user?: string
  password?: string
  database: string
}

/** MySQL connection settings: the URL first, then MYSQL_PWD, then ~/.my.cnf ([client], [mysqldump]). */
export async function mysqlConn(url: string, env: NodeJS.ProcessEnv): Promise<MysqlConn> {
  const u = new URL(url)
  const cnfFile = env.HOME ? path.join(env.HOME, '.my.cnf') : undefined
  const cnf = cnfFile ? parseMyCnf(await fsp.readFile(cnfFile, 'utf8').catch(() => '')) : {}
  const opt = { ...cnf.client, ...cnf.mysqldump }
  return {
    host: u.hostname || opt.host,
    port: u.port || opt.port,
    user: decodeURIComponent(u.username) || opt.user,
    password: urlPassword(url) ?? env.MYSQL_PWD ?? opt.password,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')),
  }
}

/** The URL the mysql2 driver needs (it reads no option files), with the password filled in. */
export function mysqlDriverUrl(c: MysqlConn): string {
  const u = new URL('mysql://localhost/')
  u.hostname = c.host ?? 'localhost'
  if (c.port) u.port = c.port
  if (c.user) u.username = encodeURIComponent(c.user)
  if (c.password) u.password = encodeURIComponent(c.password)
  u.pathname = '/' + encodeURIComponent(c.database)
  return u.toString()
}

function cnfQuote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/**
 * Run `fn` with mysqldump's connection arguments. The password goes into a temp defaults file
 * (mode 600, in a private temp dir) named by `--defaults-extra-file`, removed afterwards.
 */
export async function withMysqlArgs<T>(c: MysqlConn, fn: (args: string[]) => Promise<T>): Promise<T> {
  const args: string[] = []
  let dir: string | undefined
  try {
    if (c.password) {
      dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'clara-pgdump-'))
      const file = path.join(dir, 'client.cnf')
      await fsp.writeFile(file, `[client]\npassword=${cnfQuote(c.password)}\n`, { mode: 0o600, flag: 'wx' })
      args.push(`--defaults-extra-file=${file}`)
    }
    if (c.host) args.push(`--host=${c.host}`, '--protocol=TCP')
    if (c.port) args.push(`--port=${c.port}`)
    if (c.user) args.push(`--user=${c.user}`)
    return await fn(args)
  } finally {
    if (dir) await fsp.rm(dir, { recursive: true, force: true })
  }
}
