/** MariaDB/MySQL: `mysqldump --single-transaction --routines --triggers` into a plain SQL file. */
import { withAtomicFile } from '@clara/shared/atomic'
import { openDb, type Db } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { failureLine, runChild, toolPath, toolVersion, type ChildOptions } from './child.js'
import { mysqlConn, mysqlDriverUrl, withMysqlArgs, type MysqlConn } from './credentials.js'
import { migrationsHead, type DumpOutcome, type DumpPlan } from './db-metadata.js'
import { DumpFailed, type DumpContext } from './dump-context.js'

const DUMP_ARGS = ['--single-transaction', '--routines', '--triggers', '--hex-blob', '--no-tablespaces', '--default-character-set=utf8mb4']

interface MysqlReady {
  db: Db
  mysqldump: string
  c: MysqlConn
  copts: ChildOptions
  toolVer: string
  serverVersion: string
}

/** Every check a dump makes before it writes: mysqldump runs and the server answers (exit 3 otherwise). The caller closes `db`. */
async function prepareMysql(ctx: DumpContext): Promise<MysqlReady> {
  const mysqldump = toolPath(ctx.binDir, 'mysqldump')
  const c = await mysqlConn(ctx.url, ctx.env)
  const secrets = [...ctx.secrets, c.password].filter((s): s is string => Boolean(s))
  const copts = { env: ctx.env, signal: ctx.signal, secrets }
  const toolVer = await toolVersion(mysqldump, copts)
  const db = await openDb(mysqlDriverUrl(c), { cwd: ctx.cwd })
  try {
    return { db, mysqldump, c, copts, toolVer, serverVersion: await db.serverVersion() }
  } catch (err) {
    await db.close()
    throw err
  }
}

/** Dump a MariaDB/MySQL database into `ctx.file`. */
export async function dumpMysql(ctx: DumpContext): Promise<DumpOutcome> {
  const { db, mysqldump, c, copts, toolVer, serverVersion } = await prepareMysql(ctx)
  try {
    // mysqldump cannot join our snapshot: ours starts just before it, both consistent.
    await db.exec('set session transaction isolation level repeatable read')
    await db.exec('start transaction with consistent snapshot, read only')
    ctx.log.detail(`mysqldump ${DUMP_ARGS.join(' ')} → ${ctx.file}`)
    const w = await withAtomicFile(ctx.file, async (f) => {
      const r = await withMysqlArgs(c, (conn) => runChild(mysqldump, [...conn, ...DUMP_ARGS, c.database], copts, f))
      if (r.code !== 0) throw new DumpFailed(failureLine('mysqldump', r))
      // A complete dump ends with this comment; a truncated one does not.
      if (!r.tail.toString('utf8').includes('-- Dump completed')) throw new DumpFailed('mysqldump output is incomplete (no "-- Dump completed" trailer)', 'ETRUNC')
      const tables = await hashTables(db)
      return { tables, migrations: await migrationsHead(db, Object.keys(tables)) }
    })
    await db.exec('commit')
    return {
      engine: 'mysql',
      database: c.database,
      server_version: serverVersion,
      dump_tool: { name: 'mysqldump', version: toolVer, args: DUMP_ARGS },
      format: 'SQL text (mysqldump); restore with the mysql client',
      consistency: 'separate consistent snapshot taken just before the dump',
      tables: w.result.tables,
      django_migrations: w.result.migrations,
      size_bytes: w.size_bytes,
      sha256: w.sha256,
      checks: { trailer: 'ok' },
    }
  } finally {
    await db.close()
  }
}

/** --dry-run: the same checks, then the tables (in one consistent snapshot) and the sum of data_length as the size estimate. Writes nothing. */
export async function planMysql(ctx: DumpContext): Promise<DumpPlan> {
  const { db } = await prepareMysql(ctx)
  try {
    await db.exec('set session transaction isolation level repeatable read')
    await db.exec('start transaction with consistent snapshot, read only')
    const [row] = await db.query<{ n: unknown }>('select coalesce(sum(data_length), 0) as n from information_schema.tables where table_schema = database()')
    const tables = await hashTables(db)
    await db.exec('commit')
    return { size_bytes: Number(row.n), tables }
  } finally {
    await db.close()
  }
}
