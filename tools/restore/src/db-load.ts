/**
 * Load the run's dump into the target database: PostgreSQL with pg_restore in one transaction,
 * SQLite by an atomic copy then `integrity_check`, MariaDB/MySQL with the mysql client. The
 * dump's sha256 is checked first (for SQLite, while it is copied).
 */
import { createReadStream, existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import { AtomicFile, sweepTemps } from '@clara/shared/atomic'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { openDb, parseDbUrl, type Db } from '@clara/shared/db'
import { hashFile } from '@clara/shared/hash'
import { failureLine, runChild } from './child.js'
import { mysqlCall, pgRestoreCall } from './db-client.js'
import type { DumpInfo } from './dump-info.js'

/** The tables the target already holds (a missing SQLite file holds none). */
export async function targetTables(url: string, cwd: string): Promise<string[]> {
  const t = parseDbUrl(url, cwd)
  if (t.engine === 'sqlite' && !existsSync(t.file!)) return []
  const db = await openDb(url, { readonly: true, cwd })
  try {
    return await db.tables()
  } finally {
    await db.close()
  }
}

function mismatch(d: DumpInfo, got: string): ClaraError {
  return new ClaraError(`${d.path}: sha256 ${got} differs from the recorded ${d.sha256}: the dump is damaged`, EXIT.FATAL, 'EMISMATCH')
}

async function copySqlite(d: DumpInfo, file: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true })
  await sweepTemps(path.dirname(file)) // a copy a killed attempt left behind
  const out = await AtomicFile.open(file, { mode: 0o640 })
  try {
    for await (const chunk of createReadStream(d.file)) await out.write(chunk as Buffer)
  } catch (err) {
    await out.abort()
    throw err
  }
  const res = await out.commit()
  if (res.sha256 !== d.sha256) throw mismatch(d, res.sha256)
  const db = await openDb(`sqlite://${file}`, { readonly: true })
  try {
    const r = await db.query<{ integrity_check: string }>('pragma integrity_check')
    if (r[0]?.integrity_check !== 'ok') throw new ClaraError(`${file}: integrity_check: ${r.map((x) => x.integrity_check).join('; ')}`, EXIT.FATAL, 'EINTEGRITY')
  } finally {
    await db.close()
  }
}

/** Load the dump. `clean`: the target held tables and `--force` was given. */
export async function loadDump(d: DumpInfo, url: string, cwd: string, env: NodeJS.ProcessEnv, clean: boolean): Promise<void> {
  const t = parseDbUrl(url, cwd)
  if (t.engine !== d.engine) {
    throw new ClaraError(`the dump is ${d.engine} but --db is ${t.engine}: cross-engine restores are not supported (restore into a ${d.engine} database)`, EXIT.USAGE, 'EENGINE')
  }
  if (t.engine === 'sqlite') return copySqlite(d, t.file!)
  const { sha256 } = await hashFile(d.file)
  if (sha256 !== d.sha256) throw mismatch(d, sha256)
  const call = t.engine === 'postgres' ? pgRestoreCall(url, d.file, env, clean) : mysqlCall(url, env)
  const cmd = t.engine === 'postgres' ? 'pg_restore' : 'mysql'
  const r = await runChild(cmd, call.args, { env: call.env, secrets: call.secrets, stdinFile: t.engine === 'mysql' ? d.file : undefined })
  if (r.code !== 0) throw new ClaraError(failureLine(cmd, r), EXIT.FATAL, 'ERESTORE')
}

/** Open the restored database for the path rewrite. */
export async function openTarget(url: string, cwd: string): Promise<Db> {
  return openDb(url, { readonly: false, cwd })
}
