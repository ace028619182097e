/**
 * `--rehearse-db`: restore the dump into a throwaway database and compare every table's row count
 * and content hash (shared table-hash) with the dump's metadata. PostgreSQL and MariaDB get a
 * scratch database on a server (created, then dropped); the SQLite copy is hashed as it is.
 */
import { randomBytes } from 'node:crypto'
import { openDb, parseDbUrl, redactUrl, scrub, urlPassword, type Db } from '@clara/shared/db'
import { hashTables, type TableHash } from '@clara/shared/table-hash'
import { runTool } from './dump-rows.js'
import type { Artifact } from './model.js'

export interface Rehearsal {
  problems: string[]
  note: string
}

/** Tables whose rows or content differ from the metadata. */
export function compareTables(got: Record<string, TableHash>, want: Record<string, { rows: number; sha256: string }>): string[] {
  const problems: string[] = []
  for (const [t, w] of Object.entries(want)) {
    const g = got[t]
    if (!g) problems.push(`${t}: missing after restore`)
    else if (g.rows !== w.rows) problems.push(`${t}: ${g.rows} rows, ${w.rows} in the metadata`)
    else if (g.sha256 !== w.sha256) problems.push(`${t}: content hash differs`)
  }
  for (const t of Object.keys(got)) if (!want[t]) problems.push(`${t}: restored but not in the metadata`)
  return problems
}

/** A URL on the same server naming another database. */
function withDatabase(url: string, db: string): string {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.toString()
}

function withoutPassword(url: string): string {
  const u = new URL(url)
  u.password = ''
  u.searchParams.delete('password')
  return u.toString()
}

async function restoreInto(dump: Artifact, engine: string, url: string, o: { pgRestore: string; mysql: string; env: NodeJS.ProcessEnv }): Promise<void> {
  const pw = urlPassword(url)
  if (engine === 'postgres') {
    const env = pw ? { ...o.env, PGPASSWORD: pw } : o.env
    await runTool(o.pgRestore, ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${withoutPassword(url)}`, dump.abs], env)
    return
  }
  const u = new URL(url)
  const args = ['--protocol=TCP', `--host=${u.hostname || '127.0.0.1'}`, `--port=${u.port || 3306}`, `--user=${decodeURIComponent(u.username || 'root')}`, parseDbUrl(url).database!, '-e', `source ${dump.abs}`]
  await runTool(o.mysql, args, pw ? { ...o.env, MYSQL_PWD: pw } : o.env)
}

/** Restore into a scratch database on `serverUrl`'s server, hash, compare, drop. */
export async function rehearse(dump: Artifact, meta: any, serverUrl: string | undefined, o: { pgRestore: string; mysql: string; env: NodeJS.ProcessEnv }): Promise<Rehearsal> {
  const want = meta?.tables ?? {}
  if (dump.kind === 'sqlite') {
    const db = await openDb(`sqlite://${dump.abs}`, { readonly: true })
    try {
      const problems = compareTables(await hashTables(db), want)
      return { problems, note: `${Object.keys(want).length} tables hashed in the copy` }
    } finally {
      await db.close()
    }
  }
  if (!serverUrl) return { problems: ['no server to rehearse on: give --scratch-url (or --db)'], note: '' }
  const engine = parseDbUrl(serverUrl).engine
  if ((engine === 'postgres') !== (dump.kind === 'pgdump') || engine === 'sqlite') return { problems: [`--scratch-url ${redactUrl(serverUrl)} is not a server for a ${dump.kind} dump`], note: '' }
  const name = `clara_verify_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = await openDb(serverUrl)
  let db: Db | null = null
  try {
    await admin.exec(`create database ${admin.ident(name)}`)
    const url = withDatabase(serverUrl, name)
    await restoreInto(dump, engine, url, o)
    db = await openDb(url)
    const problems = compareTables(await hashTables(db), want)
    return { problems, note: `restored into a scratch database on ${redactUrl(serverUrl)}; ${Object.keys(want).length} tables equal` }
  } catch (err) {
    return { problems: [`restore failed: ${scrub((err as Error).message, [urlPassword(serverUrl)])}`], note: '' }
  } finally {
    await db?.close()
    // PostgreSQL ≥ 13 can drop past a lingering connection (a pg_restore that is still exiting)
    const force = engine === 'postgres' && Number.parseInt(await admin.serverVersion(), 10) >= 13 ? ' with (force)' : ''
    await admin.exec(`drop database if exists ${admin.ident(name)}${force}`).catch(() => {})
    await admin.close()
  }
}
