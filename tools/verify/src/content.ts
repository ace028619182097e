/** Checks that need C-LARA knowledge: project counts, the database, DB↔file references, audio DBs, infra secrets. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { selectionLimit } from '@clara/shared/run-set'
import type { Logger } from '@clara/shared/log'
import { audioDbFiles, checkAudioDb } from './audio-dbs.js'
import { checkCounts, type ProjectRows } from './counts.js'
import { checkDump } from './db-check.js'
import type { DomainScan } from './domain-scan.js'
import { dumpRows, type TableRows } from './dump-rows.js'
import { buildInventory } from './inventory.js'
import type { Artifact, Unit } from './model.js'
import type { Options } from './options.js'
import { checkReferences, REFERENCE_TABLES } from './references.js'
import { rehearse } from './rehearse.js'
import type { Run } from './run-dir.js'
import { scanSecrets } from './secrets.js'
import { readFailures } from './totals.js'
import type { Verdicts } from './verdicts.js'

export interface ContentCtx {
  run: Run
  scans: DomainScan[]
  v: Verdicts
  log: Logger
  opts: Options
  env: NodeJS.ProcessEnv
  cwd: string
}

/** The project table: its ids and internal_ids are counted against the units (clara-facts §1.4). */
const PROJECT_TABLE = 'clara_app_claraproject'

const tool = (c: ContentCtx, name: string) => (c.opts.binDir ? path.join(c.opts.binDir, name) : name)

/** The newest dump of db/ (names carry the UTC time), with its metadata. */
function newestDump(c: ContentCtx): { unit: Unit; dump: Artifact } | null {
  const units = (c.scans.find((s) => s.domain === 'db')?.units ?? []).filter((u) => u.artifacts.length && u.meta)
  const unit = units.sort((a, b) => (a.name < b.name ? -1 : 1)).pop()
  return unit ? { unit, dump: unit.artifacts[0] } : null
}

/** Project ids and internal_ids: from --db when given, else from the dump's own rows. */
async function projectRows(c: ContentCtx, meta: any, rows: Map<string, TableRows | null> | null): Promise<{ rows: ProjectRows; iids: Set<string> } | null> {
  let list: TableRows | null = rows?.get(PROJECT_TABLE) ?? null
  let from = 'the dump'
  if (c.opts.db) {
    const db = await openDb(c.opts.db, { readonly: true, cwd: c.cwd })
    try {
      list = (await db.query(`select id, internal_id from ${db.ident(PROJECT_TABLE)}`)).map((r) => ({ id: String(r.id), internal_id: String(r.internal_id) }))
      from = '--db'
    } finally {
      await db.close()
    }
  }
  const count = c.opts.db ? list?.length : meta?.tables?.[PROJECT_TABLE]?.rows
  if (typeof count !== 'number') return null
  return { rows: { ids: list ? list.map((r) => String(r.id)) : null, count, from }, iids: new Set((list ?? []).map((r) => String(r.internal_id))) }
}

async function knownMissingAudio(runDir: string): Promise<Set<string>> {
  const text = await fsp.readFile(path.join(runDir, 'audio_cache', 'reports.ndjson'), 'utf8').catch(() => '')
  const ids = new Set<string>()
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line)
      if (r?.type === 'audio_missing' && r.id !== undefined) ids.add(String(r.id))
    } catch {
      // not a record
    }
  }
  return ids
}

async function databaseChecks(c: ContentCtx): Promise<{ rows: Map<string, TableRows | null> | null; meta: any }> {
  const found = newestDump(c)
  if (!found) {
    await c.v.add('db', 'db', false, 'no finished dump in db/: counts and references cannot be checked')
    return { rows: null, meta: null }
  }
  const { unit, dump } = found
  const o = { pgRestore: tool(c, 'pg_restore'), mysql: tool(c, 'mysql'), env: c.env }
  if (dump.encrypted) {
    await c.v.add('db', dump.rel, true, 'stored encrypted: decrypt a copy (clara-encrypt --decrypt --out) and verify that to check the dump and the references', { warning: true, skipped: true })
    return { rows: null, meta: unit.meta }
  }
  const d = await checkDump(dump, unit.meta, o)
  await c.v.expect('db', dump.rel, d.problems, d.note)
  if (c.opts.rehearseDb) {
    const server = c.opts.scratchUrl ?? c.opts.db ?? String(unit.meta?.url ?? '').replace(/:\*\*\*@/, '@')
    const r = await rehearse(dump, unit.meta, server || undefined, o)
    await c.v.expect('db-rehearse', dump.rel, r.problems, r.note)
  }
  try {
    const tables = Object.fromEntries([[PROJECT_TABLE, ['id', 'internal_id']], ...REFERENCE_TABLES.map((t) => [t.table, ['id', 'file_path', ...t.extra]])])
    return { rows: await dumpRows(dump, tables, o), meta: unit.meta }
  } catch (err) {
    await c.v.add('db', `${dump.rel} (rows)`, false, `cannot read rows from the dump: ${(err as Error).message}`)
    return { rows: null, meta: unit.meta }
  }
}

/**
 * What the run's manifest says it covers: `partial` (how its selection leaves part of the install
 * out, or null), `selective` (--only/--skip: not every project) and the domains it holds.
 */
function runSelection(manifest: any): { partial: string | null; selective: boolean; unselected: (domain: string) => string | null } {
  const partial = manifest && typeof manifest === 'object' ? selectionLimit(manifest) : null
  const s = manifest?.selection
  const selective = Boolean(s?.only?.length || s?.skip?.length)
  const held = manifest?.domains && typeof manifest.domains === 'object' ? new Set(Object.keys(manifest.domains)) : null
  return { partial, selective, unselected: (d) => (partial && held && !held.has(d) ? `not in the run's selection (${partial})` : null) }
}

export async function checkContent(c: ContentCtx): Promise<void> {
  const { rows, meta } = await databaseChecks(c)
  const projects = await projectRows(c, meta, rows)
  const failures = { source_exports: await readFailures(c.run.dir, 'source_exports'), compiled_exports: await readFailures(c.run.dir, 'compiled_exports') }
  const sel = runSelection(c.run.manifest)
  if (!projects) await c.v.add('count', 'projects', false, 'no project row count: no readable db metadata and no --db')
  else for (const r of checkCounts(c.scans, failures, projects.rows, sel.selective, sel.unselected)) await c.v.expect('count', r.domain, r.problems, r.note)
  if (rows) {
    const inventory = await buildInventory(c.scans)
    await checkReferences(rows, { inventory, knownMissingAudio: await knownMissingAudio(c.run.dir), projects: projects?.iids ?? new Set(), partial: sel.partial }, c.v)
  }
  const orm = c.scans.find((s) => s.domain === 'audio_cache')?.units.find((u) => u.name === 'orm_db')
  for (const f of orm ? audioDbFiles(orm) : []) {
    if (f.encrypted) await c.v.add('audio-db', f.rel, true, 'stored encrypted: not opened', { warning: true, skipped: true })
    else await c.v.expect('audio-db', f.rel, await checkAudioDb(f.rel, f.abs, f.recorded), 'non-empty, integrity_check ok, row counts as recorded')
  }
  if (c.scans.some((s) => s.domain === 'infra')) {
    const s = await scanSecrets(c.run.dir)
    const problems = [...s.found].map(([f, k]) => `${f}: ${k.join(', ')}`)
    await c.v.expect('secrets', 'infra', problems, `${s.files} file(s) scanned, no secret pattern${s.skipped.length ? ` (${s.skipped.length} encrypted file(s) not readable)` : ''}`)
  }
}
