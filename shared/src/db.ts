/** Database access by URL (sqlite:///path, postgres://…, mysql://…): read-only queries, no domain knowledge. */
import path from 'node:path'
import { ClaraError, EXIT } from './cli.js'

export type Engine = 'sqlite' | 'postgres' | 'mysql'

export interface DbTarget {
  engine: Engine
  url: string
  /** sqlite: the file */
  file?: string
  /** postgres/mysql: the database name */
  database?: string
}

export type Row = Record<string, unknown>

export interface Db {
  engine: Engine
  target: DbTarget
  /** `?` placeholders on every engine */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>
  /** run several statements, no results */
  exec(sql: string): Promise<void>
  serverVersion(): Promise<string>
  tables(): Promise<string[]>
  /** quote an identifier for this engine */
  ident(name: string): string
  close(): Promise<void>
}

/** Parse a DB URL. `sqlite:///abs/path` or `sqlite:relative` (resolved against cwd). */
export function parseDbUrl(url: string, cwd = process.cwd()): DbTarget {
  const m = /^([a-z0-9+]+):/i.exec(url)
  if (!m) {
    if (url.endsWith('.sqlite3') || url.endsWith('.db')) return { engine: 'sqlite', url: `sqlite://${path.resolve(cwd, url)}`, file: path.resolve(cwd, url) }
    throw new ClaraError(`bad database URL (want sqlite:///path, postgres://… or mysql://…): ${redactUrl(url)}`, EXIT.USAGE, 'EUSAGE')
  }
  const scheme = m[1].toLowerCase()
  if (scheme === 'sqlite' || scheme === 'sqlite3') {
    let p = url.slice(m[0].length)
    if (p.startsWith('//')) p = p.slice(2)
    const file = path.resolve(cwd, decodeURIComponent(p))
    return { engine: 'sqlite', url: `sqlite://${file}`, file }
  }
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'pgsql') {
    const u = new URL(url)
    return { engine: 'postgres', url, database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined }
  }
  if (scheme === 'mysql' || scheme === 'mariadb' || scheme === 'mysql2') {
    const u = new URL(url)
    return { engine: 'mysql', url, database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined }
  }
  throw new ClaraError(`unsupported database scheme "${scheme}" (want sqlite, postgres or mysql)`, EXIT.USAGE, 'EUSAGE')
}

/** The URL with any password replaced by `***`: the only form of a DB URL we ever print. */
export function redactUrl(url: string): string {
  // the userinfo ends at the LAST `@` of the authority (a password may hold a raw `@`);
  // libpq-style `?password=` query parameters are redacted too
  return url
    .replace(/^([a-z0-9+]+:\/\/[^:/@?#]*):[^/?#]*@/i, '$1:***@')
    .replace(/([?&](?:password|pass|pwd)=)[^&#]*/gi, '$1***')
}

/** Replace every occurrence of `secret` in a message (passwords in driver errors). */
export function scrub(msg: string, secrets: (string | undefined)[]): string {
  let out = msg
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***')
  return out
}

export function urlPassword(url: string): string | undefined {
  try {
    const u = new URL(url)
    const p = u.password ? decodeURIComponent(u.password) : u.searchParams.get('password')
    return p || undefined
  } catch {
    return undefined
  }
}

/** The password in every spelling a driver message might echo (decoded and as written in the URL). */
function urlSecrets(url: string): (string | undefined)[] {
  let raw: string | undefined
  try {
    raw = new URL(url).password || undefined
  } catch {
    raw = undefined
  }
  return [urlPassword(url), raw]
}

function fail(target: DbTarget, err: unknown): never {
  const msg = scrub((err as Error)?.message ?? String(err), urlSecrets(target.url))
  throw new ClaraError(`database ${redactUrl(target.url)}: ${msg}`, EXIT.FATAL, (err as NodeJS.ErrnoException)?.code ?? 'EDB')
}

export interface OpenOptions {
  readonly?: boolean
  cwd?: string
}

/** Open a connection. Connection failures are a one-line ClaraError (exit 3) with the password scrubbed. */
export async function openDb(url: string, opts: OpenOptions = {}): Promise<Db> {
  const target = parseDbUrl(url, opts.cwd)
  try {
    if (target.engine === 'sqlite') return await openSqlite(target, opts.readonly ?? true)
    if (target.engine === 'postgres') return await openPostgres(target)
    return await openMysql(target)
  } catch (err) {
    if (err instanceof ClaraError) throw err
    fail(target, err)
  }
}

async function openSqlite(target: DbTarget, readonly: boolean): Promise<Db> {
  const { default: Database } = await import('better-sqlite3')
  const db = new Database(target.file!, { readonly, fileMustExist: readonly })
  // a statement run once per row (clara-restore's path rewrite: one update per value) is prepared once
  const prepared = new Map<string, ReturnType<typeof db.prepare<unknown[]>>>()
  const prepare = (sql: string) => {
    let st = prepared.get(sql)
    if (!st) {
      if (prepared.size >= 64) prepared.clear()
      prepared.set(sql, (st = db.prepare(sql)))
    }
    return st
  }
  return {
    engine: 'sqlite',
    target,
    async query<T extends Row>(sql: string, params: unknown[] = []) {
      try {
        const st = prepare(sql)
        return (st.reader ? st.all(...params) : (st.run(...params), [])) as T[]
      } catch (err) {
        fail(target, err)
      }
    },
    async exec(sql: string) {
      try {
        db.exec(sql)
      } catch (err) {
        fail(target, err)
      }
    },
    async serverVersion() {
      return (db.prepare('select sqlite_version() as v').get() as { v: string }).v
    },
    async tables() {
      return (db.prepare("select name from sqlite_master where type='table' and name not like 'sqlite_%' order by name").all() as { name: string }[]).map((r) => r.name)
    },
    ident: (n) => `"${n.replace(/"/g, '""')}"`,
    async close() {
      db.close()
    },
  }
}

async function openPostgres(target: DbTarget): Promise<Db> {
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 10_000 })
  client.on('error', () => {})
  await client.connect()
  const toPg = (sql: string) => {
    let i = 0
    return sql.replace(/\?/g, () => `$${++i}`)
  }
  return {
    engine: 'postgres',
    target,
    async query<T extends Row>(sql: string, params: unknown[] = []) {
      try {
        return (await client.query(toPg(sql), params)).rows as T[]
      } catch (err) {
        fail(target, err)
      }
    },
    async exec(sql: string) {
      try {
        await client.query(sql)
      } catch (err) {
        fail(target, err)
      }
    },
    async serverVersion() {
      return ((await client.query('show server_version')).rows[0] as { server_version: string }).server_version
    },
    async tables() {
      const r = await client.query("select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name")
      return r.rows.map((x: { table_name: string }) => x.table_name)
    },
    ident: (n) => `"${n.replace(/"/g, '""')}"`,
    async close() {
      await client.end().catch(() => {})
    },
  }
}

async function openMysql(target: DbTarget): Promise<Db> {
  const mysql = await import('mysql2/promise')
  const conn = await mysql.createConnection({ uri: target.url, multipleStatements: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, connectTimeout: 10_000 })
  return {
    engine: 'mysql',
    target,
    async query<T extends Row>(sql: string, params: unknown[] = []) {
      try {
        const [rows] = await conn.query(sql, params)
        return (Array.isArray(rows) ? rows : []) as T[]
      } catch (err) {
        fail(target, err)
      }
    },
    async exec(sql: string) {
      try {
        await conn.query(sql)
      } catch (err) {
        fail(target, err)
      }
    },
    async serverVersion() {
      const [rows] = await conn.query('select version() as v')
      return (rows as { v: string }[])[0].v
    },
    async tables() {
      const [rows] = await conn.query("select table_name as t from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE' order by table_name")
      return (rows as { t: string }[]).map((r) => r.t)
    },
    ident: (n) => `\`${n.replace(/`/g, '``')}\``,
    async close() {
      await conn.end().catch(() => {})
    },
  }
}
