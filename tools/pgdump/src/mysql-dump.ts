/** MariaDB/MySQL: `mysqldump --single-transaction --routines --triggers` into a plain SQL file. */
import { withAtomicFile } from '@clara/shared/atomic'
import { openDb } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { failureLine, runChild, toolPath, toolVersion } from './child.js'
import { mysqlConn, mysqlDriverUrl, withMysqlArgs } from './credentials.js'
import { migrationsHead, type DumpOutcome } from './db-metadata.js'
import { DumpFailed, type DumpContext } from './dump-context.js'

const DUMP_ARGS = ['--single-transaction', '--routines', '--triggers', '--hex-blob', '--no-tablespaces', '--default-character-set=utf8mb4']

/** Dump a MariaDB/MySQL database into `ctx.file`. */
export async function dumpMysql(ctx: DumpContext): Promise<DumpOutcome> {
  const mysqldump = toolPath(ctx.binDir, 'mysqldump')
  const c = await mysqlConn(ctx.url, ctx.env)
  const secrets = [...ctx.secrets, c.password].filter((s): s is string => Boolean(s))
  const copts = { env: ctx.env, signal: ctx.signal, secrets }
  const toolVer = await toolVersion(mysqldump, copts)
  const db = await openDb(mysqlDriverUrl(c), { cwd: ctx.cwd })
  try {
    const serverVersion = await db.serverVersion()
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
