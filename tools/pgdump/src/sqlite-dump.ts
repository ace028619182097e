/** SQLite: an online-backup copy (read-only on the source), integrity-checked, hashed from the copy. */
import { promises as fsp } from 'node:fs'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { openDb, parseDbUrl } from '@clara/shared/db'
import { backupSqlite, type SqliteBackupResult } from '@clara/shared/sqlite-backup'
import { hashTables } from '@clara/shared/table-hash'
import { migrationsHead, type DumpOutcome, type DumpPlan } from './db-metadata.js'
import { DumpFailed, type DumpContext } from './dump-context.js'

/** Open the source read-only and read its version: a file that is not a database is exit 3, before anything is written. */
async function probe(ctx: DumpContext): Promise<string> {
  const db = await openDb(ctx.url, { readonly: true, cwd: ctx.cwd })
  try {
    await db.tables()
    return await db.serverVersion()
  } catch (err) {
    if (err instanceof ClaraError) throw err
    throw new ClaraError(`database ${ctx.url}: ${(err as Error).message}`, EXIT.FATAL, (err as NodeJS.ErrnoException).code ?? 'EDB')
  } finally {
    await db.close()
  }
}

/** The checks before a copy: the source is a file and a database (exit 3 otherwise). */
async function prepareSqlite(ctx: DumpContext): Promise<{ src: string; size: number; version: string }> {
  const src = parseDbUrl(ctx.url, ctx.cwd).file!
  const st = await fsp.stat(src).catch(() => null)
  if (!st?.isFile()) throw new ClaraError(`database ${ctx.url}: no such file`, EXIT.FATAL, 'ENOENT')
  return { src, size: st.size, version: await probe(ctx) }
}

/** Copy the SQLite database of `ctx.url` to `ctx.file`. A source that cannot be opened is exit 3. */
export async function dumpSqlite(ctx: DumpContext): Promise<DumpOutcome> {
  const { src, version } = await prepareSqlite(ctx)
  let copy: SqliteBackupResult
  try {
    copy = await backupSqlite(src, ctx.file)
  } catch (err) {
    throw new DumpFailed(`sqlite backup failed: ${(err as Error).message}`, (err as NodeJS.ErrnoException).code ?? 'EBACKUP')
  }
  const db = await openDb(`sqlite://${ctx.file}`, { readonly: true })
  try {
    const tables = await hashTables(db)
    return {
      engine: 'sqlite',
      database: src,
      server_version: version,
      dump_tool: { name: 'sqlite online backup (better-sqlite3)', version, args: [] },
      format: 'SQLite database file (rollback-journal mode); restore by copying it into place',
      consistency: 'hashed from the copy itself',
      tables,
      django_migrations: await migrationsHead(db, Object.keys(tables)),
      size_bytes: copy.size_bytes,
      sha256: copy.sha256,
      checks: { integrity_check: copy.integrity, pages: copy.pages },
    }
  } catch (err) {
    await fsp.rm(ctx.file, { force: true })
    throw err
  } finally {
    await db.close()
  }
}

/** --dry-run: the same checks, then the tables, read from the source (read-only); the file's size is the estimate. Writes nothing. */
export async function planSqlite(ctx: DumpContext): Promise<DumpPlan> {
  const { size } = await prepareSqlite(ctx)
  const db = await openDb(ctx.url, { readonly: true, cwd: ctx.cwd })
  try {
    await db.exec('begin') // one read snapshot for every table
    const tables = await hashTables(db)
    await db.exec('commit')
    return { size_bytes: size, tables }
  } finally {
    await db.close()
  }
}
