/** PostgreSQL: `pg_dump -Fc` in the same snapshot as the table hashes, checked with `pg_restore --list`. */
import { withAtomicFile } from '@clara/shared/atomic'
import { openDb, parseDbUrl, type Db } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { failureLine, runChild, toolPath, toolVersion, type ChildOptions } from './child.js'
import { pgChild } from './credentials.js'
import { migrationsHead, type DumpOutcome, type DumpPlan } from './db-metadata.js'
import { DumpFailed, type DumpContext } from './dump-context.js'
import { checkPgDumpVersion, parsePgVersion } from './pg-version.js'

/**
 * Open a read-only repeatable-read transaction and export its snapshot, so pg_dump sees exactly
 * the rows we hash. Null when the server cannot export one (the hashes then come from a second snapshot).
 */
async function exportSnapshot(db: Db): Promise<string | null> {
  await db.exec('begin transaction isolation level repeatable read, read only')
  try {
    const [row] = await db.query<{ s: string }>('select pg_export_snapshot() as s')
    return row.s
  } catch {
    await db.exec('rollback')
    await db.exec('begin transaction isolation level repeatable read, read only')
    return null
  }
}

interface PgReady {
  db: Db
  pgDump: string
  pgRestore: string
  dbname: string
  copts: ChildOptions
  toolVer: string
  serverVersion: string
}

/**
 * Every check a dump makes before it writes: pg_dump and pg_restore run, the server answers, and
 * pg_dump is not older than it (exit 3 otherwise). Returns the open connection: the caller closes it.
 */
async function preparePostgres(ctx: DumpContext): Promise<PgReady> {
  const pgDump = toolPath(ctx.binDir, 'pg_dump')
  const pgRestore = toolPath(ctx.binDir, 'pg_restore')
  const conn = pgChild(ctx.url, ctx.env)
  const copts = { env: conn.env, signal: ctx.signal, secrets: ctx.secrets }
  const toolVer = await toolVersion(pgDump, copts)
  await toolVersion(pgRestore, copts)
  const db = await openDb(ctx.url, { cwd: ctx.cwd })
  try {
    const serverVersion = await db.serverVersion()
    checkPgDumpVersion(parsePgVersion(toolVer), parsePgVersion(ctx.assumeServerVersion ?? serverVersion))
    return { db, pgDump, pgRestore, dbname: conn.dbname, copts, toolVer, serverVersion }
  } catch (err) {
    await db.close()
    throw err
  }
}

/** Dump a PostgreSQL database into `ctx.file`; refuses an older pg_dump (exit 3) before writing anything. */
export async function dumpPostgres(ctx: DumpContext): Promise<DumpOutcome> {
  const { db, pgDump, pgRestore, dbname, copts, toolVer, serverVersion } = await preparePostgres(ctx)
  try {
    const snapshot = await exportSnapshot(db)
    const args = ['--format=custom', '--no-password', ...(snapshot ? [`--snapshot=${snapshot}`] : [])]
    ctx.log.detail(`pg_dump ${args.join(' ')} → ${ctx.file}`)
    const w = await withAtomicFile(ctx.file, async (f) => {
      const r = await runChild(pgDump, [...args, `--dbname=${dbname}`], copts, f)
      if (r.code !== 0) throw new DumpFailed(failureLine('pg_dump', r))
      const list = await runChild(pgRestore, ['--list', f.tmp], copts)
      if (list.code !== 0) throw new DumpFailed(`the dump does not list: ${failureLine('pg_restore --list', list)}`, 'ENOLIST')
      const toc = list.stdout.split('\n').filter((l) => l.trim() && !l.startsWith(';')).length
      const tables = await hashTables(db)
      return { toc, tables, migrations: await migrationsHead(db, Object.keys(tables)) }
    })
    await db.exec('commit')
    return {
      engine: 'postgres',
      database: parseDbUrl(ctx.url, ctx.cwd).database ?? '',
      server_version: serverVersion,
      dump_tool: { name: 'pg_dump', version: toolVer, args: snapshot ? [...args.slice(0, -1), '--snapshot=<exported>'] : args },
      format: 'pg_dump custom (-Fc); restore with pg_restore',
      consistency: snapshot ? 'same snapshot as the dump (pg_export_snapshot)' : 'separate repeatable-read snapshot taken just before the dump',
      tables: w.result.tables,
      django_migrations: w.result.migrations,
      size_bytes: w.size_bytes,
      sha256: w.sha256,
      checks: { pg_restore_list: 'ok', toc_entries: w.result.toc },
    }
  } finally {
    await db.close()
  }
}

/** --dry-run: the same checks, then the tables (in one read-only snapshot) and pg_database_size() as the size estimate. Writes nothing. */
export async function planPostgres(ctx: DumpContext): Promise<DumpPlan> {
  const { db } = await preparePostgres(ctx)
  try {
    await db.exec('begin transaction isolation level repeatable read, read only')
    const [row] = await db.query<{ n: unknown }>('select pg_database_size(current_database()) as n')
    const tables = await hashTables(db)
    await db.exec('commit')
    return { size_bytes: Number(row.n), tables }
  } finally {
    await db.close()
  }
}
