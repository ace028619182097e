/**
 * The dump itself (verdict `db`): `pg_restore --list` for a PostgreSQL custom dump,
 * `PRAGMA integrity_check` for the SQLite copy, a sanity read of a MariaDB/MySQL `.sql`.
 */
import { createReadStream, promises as fsp } from 'node:fs'
import { openDb } from '@clara/shared/db'
import { readLines } from '@clara/shared/ndjson'
import { runTool } from './dump-rows.js'
import type { Artifact } from './model.js'

export interface DumpCheck {
  problems: string[]
  note: string
}

async function pgList(a: Artifact, meta: any, pgRestore: string, env: NodeJS.ProcessEnv): Promise<DumpCheck> {
  let out: string
  try {
    out = await runTool(pgRestore, ['--list', a.abs], env)
  } catch (err) {
    return { problems: [`pg_restore --list fails: ${(err as Error).message}`], note: '' }
  }
  const toc = out.split('\n').filter((l) => l.trim() && !l.startsWith(';')).length
  const want = meta?.checks?.toc_entries
  const problems = typeof want === 'number' && want !== toc ? [`pg_restore --list gives ${toc} entries, ${want} when dumped`] : []
  const tables = Object.keys(meta?.tables ?? {})
  const listed = new Set([...out.matchAll(/ TABLE DATA \S+ (\S+) /g)].map((m) => m[1]))
  const lost = tables.filter((t) => !listed.has(t))
  if (lost.length) problems.push(`no data entry for table(s) ${lost.slice(0, 5).join(', ')}`)
  return { problems, note: `pg_restore --list: ${toc} entries` }
}

async function sqliteIntegrity(file: string): Promise<DumpCheck> {
  const db = await openDb(`sqlite://${file}`, { readonly: true })
  try {
    const rows = await db.query<{ integrity_check: string }>('pragma integrity_check')
    const res = rows.map((r) => r.integrity_check).join('; ')
    return { problems: res === 'ok' ? [] : [`integrity_check: ${res.slice(0, 300)}`], note: 'integrity_check ok' }
  } catch (err) {
    return { problems: [`not a readable SQLite database: ${(err as Error).message}`], note: '' }
  } finally {
    await db.close()
  }
}

/** The head and tail of a mysqldump: its banner, "Dump completed", and a CREATE TABLE per table. */
async function sqlSanity(file: string, meta: any): Promise<DumpCheck> {
  const fh = await fsp.open(file, 'r')
  const { size } = await fh.stat()
  const head = Buffer.alloc(Math.min(size, 4096))
  const tail = Buffer.alloc(Math.min(size, 4096))
  await fh.read(head, 0, head.length, 0)
  await fh.read(tail, 0, tail.length, size - tail.length)
  await fh.close()
  const problems: string[] = []
  if (!/^-- (MySQL|MariaDB) dump/m.test(head.toString('utf8'))) problems.push('no mysqldump banner at the start')
  if (!/-- Dump completed/.test(tail.toString('utf8'))) problems.push('no "Dump completed" line at the end (truncated?)')
  const created = new Set<string>()
  // only the starts of lines matter here: a long INSERT line is cut (bounded memory, whatever the dump holds)
  for await (const line of readLines(createReadStream(file), { truncate: true, maxBytes: 1 << 20 })) {
    const m = /^CREATE TABLE `((?:[^`]|``)+)`/.exec(line)
    if (m) created.add(m[1].replace(/``/g, '`'))
  }
  const lost = Object.keys(meta?.tables ?? {}).filter((t) => !created.has(t))
  if (lost.length) problems.push(`no CREATE TABLE for ${lost.slice(0, 5).join(', ')}`)
  return { problems, note: `${created.size} tables created` }
}

export async function checkDump(a: Artifact, meta: any, o: { pgRestore: string; env: NodeJS.ProcessEnv }): Promise<DumpCheck> {
  if (a.kind === 'pgdump') return pgList(a, meta, o.pgRestore, o.env)
  if (a.kind === 'sqlite') return sqliteIntegrity(a.abs)
  if (a.kind === 'sql') return sqlSanity(a.abs, meta)
  return { problems: [`${a.rel}: not a dump kind this tool knows`], note: '' }
}
