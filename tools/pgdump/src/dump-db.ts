/** The database mode: dump one database into db/, write its metadata and db/index.json, emit records. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { syncDir } from '@clara/shared/durability'
import type { Engine } from '@clara/shared/db'
import { redactUrl, scrub } from '@clara/shared/db'
import type { RecordWriter } from '@clara/shared/ndjson'
import { errorRecord } from '@clara/shared/records'
import { writeDbIndex } from './db-index.js'
import { dumpMetadata, totals, type DumpOutcome, type DumpPlan } from './db-metadata.js'
import { DumpFailed, type DumpContext } from './dump-context.js'
import { dumpName, isDumpName, metadataName } from './dump-names.js'
import { dumpMysql, planMysql } from './mysql-dump.js'
import { dumpPostgres, planPostgres } from './pg-dump.js'
import { dumpSqlite, planSqlite } from './sqlite-dump.js'

const DUMPERS: Record<Engine, (ctx: DumpContext) => Promise<DumpOutcome>> = { postgres: dumpPostgres, sqlite: dumpSqlite, mysql: dumpMysql }
const PLANNERS: Record<Engine, (ctx: DumpContext) => Promise<DumpPlan>> = { postgres: planPostgres, sqlite: planSqlite, mysql: planMysql }

export interface DbJob {
  engine: Engine
  /** UTC `YYYYMMDD_HHMMSS` */
  ts: string
  createdAt: string
  outDir: string
  /** record and index paths are relative to this (the run directory) */
  root: string
  /** once the new dump is finished, remove the other dumps in the folder (a run holds one database dump) */
  replace?: boolean
}

/** Directories that do not exist yet on the way to `dir`, deepest first. */
async function missingDirs(dir: string): Promise<string[]> {
  const out: string[] = []
  for (let d = path.resolve(dir); !(await fsp.stat(d).catch(() => null)); d = path.dirname(d)) {
    out.push(d)
    if (path.dirname(d) === d) break
  }
  return out
}

const posix = (p: string) => p.split(path.sep).join('/')

/** The artifact record of a dump: written (with its sha256), or planned (without). */
function artifactOf(job: DbJob, name: string, size_bytes: number, sha256: string | undefined, tables: DumpPlan['tables']) {
  const t = totals(tables)
  return {
    type: 'artifact' as const,
    domain: 'db',
    unit: name,
    path: posix(path.relative(job.root, path.join(job.outDir, name))),
    size_bytes,
    ...(sha256 === undefined ? {} : { sha256 }),
    updated_at: job.createdAt,
    engine: job.engine,
    metadata: posix(path.relative(job.root, path.join(job.outDir, metadataName(name)))),
    tables: t.tables,
    rows: t.rows,
  }
}

/**
 * Dumps in `dir` without their metadata file: an earlier attempt was stopped between the dump's rename and
 * its metadata (the metadata is what makes a dump finished). They are removed before a new dump, so a rerun
 * leaves only finished dumps behind; the names removed.
 */
export async function sweepUnfinishedDumps(dir: string): Promise<string[]> {
  const names = await fsp.readdir(dir).catch(() => [] as string[])
  const gone = names.filter((n) => isDumpName(n) && !names.includes(metadataName(n)))
  for (const n of gone) await fsp.rm(path.join(dir, n), { force: true })
  return gone
}

/**
 * Every finished dump in `dir` but `keep`: its metadata first (the dump then counts as unfinished and a
 * later sweep removes it if we stop here), then the dump. The names removed.
 */
export async function removeOtherDumps(dir: string, keep: string): Promise<string[]> {
  const gone = (await fsp.readdir(dir)).filter((n) => isDumpName(n) && n !== keep).sort()
  for (const n of gone) {
    await fsp.rm(path.join(dir, metadataName(n)), { force: true })
    await fsp.rm(path.join(dir, n), { force: true })
  }
  if (gone.length) await syncDir(dir)
  return gone
}

/** Dump, then metadata, then index. Returns the exit code: 0, or 1 after an `error` record. */
export async function dumpDatabase(job: DbJob, ctx: Omit<DumpContext, 'file'>, w: RecordWriter): Promise<number> {
  const name = dumpName(job.engine, job.ts)
  const file = path.join(job.outDir, name)
  const created = await missingDirs(job.outDir)
  for (const n of await sweepUnfinishedDumps(job.outDir)) ctx.log.info(`${n}: removed, a dump without its metadata left by an interrupted run`)
  let outcome: DumpOutcome
  try {
    outcome = await DUMPERS[job.engine]({ ...ctx, file })
  } catch (err) {
    // Nothing partial stays behind, not even the folders this run made.
    for (const d of created) await fsp.rmdir(d).catch(() => {})
    if (!(err instanceof DumpFailed)) throw err
    const message = scrub(err.message, ctx.secrets)
    ctx.log.error(name, message)
    await w.write(errorRecord('dump', name, { message, code: err.code }, { domain: 'db', unit: name }))
    await w.write({ type: 'summary', tool: 'clara-pgdump', ok: 0, failed: 1, bytes: 0 })
    return 1
  }
  const meta = dumpMetadata({ name, url: redactUrl(ctx.url), created_at: job.createdAt }, outcome)
  await writeJsonAtomic(path.join(job.outDir, metadataName(name)), meta)
  if (job.replace) for (const n of await removeOtherDumps(job.outDir, name)) ctx.log.info(`${n}: removed, replaced by ${name} (--replace)`)
  await writeDbIndex(job.outDir, job.root)
  const rec = artifactOf(job, name, outcome.size_bytes, outcome.sha256, outcome.tables)
  await w.write(rec)
  await w.write({ type: 'summary', tool: 'clara-pgdump', ok: 1, failed: 0, bytes: outcome.size_bytes })
  ctx.log.detail(`${rec.path}: ${rec.size_bytes} bytes, ${rec.tables} tables, ${rec.rows} rows`)
  return 0
}

/**
 * --dry-run: every check of a real dump (connection, tools, versions), the tables, and the record a
 * dump would give, with `planned: true`, a size estimate and no sha256. Writes nothing, not even a folder.
 */
export async function planDatabase(job: DbJob, ctx: Omit<DumpContext, 'file'>, w: RecordWriter): Promise<number> {
  const name = dumpName(job.engine, job.ts)
  const plan = await PLANNERS[job.engine]({ ...ctx, file: path.join(job.outDir, name) })
  const rec = { ...artifactOf(job, name, plan.size_bytes, undefined, plan.tables), planned: true, size_estimated: true }
  await w.write(rec)
  await w.write({ type: 'summary', tool: 'clara-pgdump', ok: 1, failed: 0, bytes: plan.size_bytes, planned: true })
  ctx.log.detail(`${rec.path}: ~${rec.size_bytes} bytes, ${rec.tables} tables, ${rec.rows} rows (planned)`)
  return 0
}
