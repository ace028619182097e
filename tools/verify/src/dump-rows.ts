/**
 * Rows of a few tables, read from the dump itself (not from any live database) by
 * `@clara/shared/dump-rows`: the SQLite copy opened read-only, `pg_restore --data-only -f -` on a
 * PostgreSQL custom dump, or the INSERT statements of a MariaDB/MySQL dump. Every value as text or null.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import type { Engine } from '@clara/shared/db'
import { readDumpRows } from '@clara/shared/dump-rows'
import type { Artifact, ArtifactKind } from './model.js'

export type TableRows = Record<string, string | null>[]

/** Run a tool, collecting stdout; rejects with its stderr's first line on failure. */
export function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout!.on('data', (c: Buffer) => out.push(c))
    child.stderr!.on('data', (c: Buffer) => err.push(c))
    child.on('error', (e) => reject(new Error(`${path.basename(bin)}: ${e.message}`)))
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'))
      else reject(new Error(`${path.basename(bin)} exited ${code}: ${Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? ''}`))
    })
    if (stdin) child.stdin!.end(stdin)
  })
}

const ENGINES: Partial<Record<ArtifactKind, Engine>> = { sqlite: 'sqlite', pgdump: 'postgres', sql: 'mysql' }

/** Rows of each wanted table (only the named columns; all when none are named), or null for a table the dump does not hold. */
export async function dumpRows(dump: Artifact, tables: Record<string, string[]>, o: { pgRestore: string; env: NodeJS.ProcessEnv }): Promise<Map<string, TableRows | null>> {
  const engine = ENGINES[dump.kind]
  if (!engine) throw new Error(`${dump.rel}: not a database dump this tool can read`)
  const got = await readDumpRows(dump.abs, engine, new Map(Object.entries(tables)), o)
  return new Map(Object.keys(tables).map((t) => {
    const r = got.get(t)
    return [t, r ? r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))) : null]
  }))
}
