/** Helpers for tests: run a tool's `main` in-process, and throwaway PostgreSQL/MariaDB databases. */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import type { Io, Main } from './cli.js'
import { exitFor } from './cli.js'
import type { ClaraRecord } from './records.js'

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as NDJSON (the `end` record included) */
  records: ClaraRecord[]
}

export interface RunOptions {
  argv?: string[]
  input?: string | ClaraRecord[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  isTTY?: boolean
}

/** Serialise records as a complete stream (with its `end` record). */
export function ndjsonOf(records: ClaraRecord[]): string {
  return records.map((r) => JSON.stringify(r) + '\n').join('') + JSON.stringify({ type: 'end', count: records.length }) + '\n'
}

/** Run `main` with in-memory streams, as `run()` would, and collect what it wrote. */
export async function runMain(main: Main, opts: RunOptions = {}): Promise<RunResult> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const chunks: Buffer[] = []
  const errs: Buffer[] = []
  stdout.on('data', (c) => chunks.push(c))
  stderr.on('data', (c) => errs.push(c))
  const input = opts.input === undefined ? '' : typeof opts.input === 'string' ? opts.input : ndjsonOf(opts.input)
  const io: Io = {
    argv: opts.argv ?? [],
    stdin: Readable.from([Buffer.from(input)]),
    stdout,
    stderr,
    env: { ...(opts.env ?? {}) },
    cwd: opts.cwd ?? process.cwd(),
    signal: new AbortController().signal,
    isTTY: opts.isTTY ?? false,
  }
  let code: number
  try {
    code = await main(io)
  } catch (err) {
    code = exitFor(err, stderr, 'test')
  }
  const out = Buffer.concat(chunks).toString('utf8')
  const records = out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      try {
        return JSON.parse(l)
      } catch {
        return { type: '__unparsed__', line: l }
      }
    })
  return { code, stdout: out, stderr: Buffer.concat(errs).toString('utf8'), records }
}

export const PG_ADMIN_URL = process.env.CLARA_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const MYSQL_ADMIN_URL = process.env.CLARA_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/'

function dbName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`
}

export interface ScratchDb {
  url: string
  name: string
  drop(): Promise<void>
}

/** Create a throwaway PostgreSQL database on the loopback server. Fails loudly if the server is down. */
export async function createPgDb(prefix = 'clara_test'): Promise<ScratchDb> {
  const pg = (await import('pg')).default
  const name = dbName(prefix)
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 })
  try {
    await admin.connect()
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (the tests need the real server): ${(err as Error).message}`)
  }
  await admin.query(`create database "${name}"`)
  await admin.end()
  const u = new URL(PG_ADMIN_URL)
  u.pathname = '/' + name
  return {
    url: u.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL })
      await c.connect()
      await c.query(`drop database if exists "${name}" with (force)`)
      await c.end()
    },
  }
}

/** Create a throwaway MariaDB/MySQL database on the loopback server. */
export async function createMysqlDb(prefix = 'clara_test'): Promise<ScratchDb> {
  const mysql = await import('mysql2/promise')
  const name = dbName(prefix)
  let c
  try {
    c = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: 5000 })
  } catch (err) {
    throw new Error(`MariaDB is not reachable at ${MYSQL_ADMIN_URL} (the tests need the real server): ${(err as Error).message}`)
  }
  await c.query(`create database \`${name}\` character set utf8mb4 collate utf8mb4_bin`)
  await c.end()
  const u = new URL(MYSQL_ADMIN_URL)
  u.pathname = '/' + name
  return {
    url: u.toString(),
    name,
    async drop() {
      const d = await mysql.createConnection({ uri: MYSQL_ADMIN_URL })
      await d.query(`drop database if exists \`${name}\``)
      await d.end()
    },
  }
}

/** The real C-LARA schema for tests: $CLARA_SCHEMA_DIR, else the copy in tools/fixture/clara-schema (clara-fixture's rule). */
export function claraSchemaDir(): string {
  return process.env.CLARA_SCHEMA_DIR ? path.resolve(process.env.CLARA_SCHEMA_DIR) : path.resolve(repoRoot(), 'tools', 'fixture', 'clara-schema')
}

/** An in-process tool's env that finds the schema the way the test runner does. */
export const schemaEnv = (): NodeJS.ProcessEnv => ({ CLARA_SCHEMA_DIR: claraSchemaDir() })

export function repoRoot(): string {
  return execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim()
}

/** Every file under `dir` (recursively, sorted), or [] when it does not exist. */
export function filesUnder(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names.flatMap((n) => {
    const p = path.join(dir, n)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  }).sort()
}
