/**
 * The restore, in order: read the run (decrypting a copy if needed), pre-flight (old roots,
 * varchar overflow, schema, DB target) with nothing written, then the database, the units
 * (compiled first), the fresh-install folders, and the proof plus restore_report.json.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { acquireLock, type Lock } from '@clara/shared/lock'
import { syncFileSystem } from '@clara/shared/sync-fs'
import type { Logger } from '@clara/shared/log'
import type { RecordWriter } from '@clara/shared/ndjson'
import { redactUrl } from '@clara/shared/db'
import { APP_LABEL } from './clara-paths.js'
import { decryptRun, encryptedFiles } from './decrypt.js'
import { checkDbTarget, restoreDb, type DbPlan } from './db-step.js'
import { findDump, migrationHead, type DumpInfo } from './dump-info.js'
import { readJson } from '@clara/shared/read-json'
import { StateDir } from './markers.js'
import { RootSet } from './old-roots.js'
import { preflight, type Overflow } from './preflight.js'
import { prepareDirs } from './prepare.js'
import { proveAll } from './proof-step.js'
import { Report } from './report.js'
import { DOMAIN_NAMES, notStoredUnits, planUnits, type DomainName, type RestoreUnit } from './run-plan.js'
import { schemaCheck } from './schema-check.js'
import { repairSite } from './site-step.js'
import { coveredTargets, restoreUnits } from './units-step.js'
import { newOwner, ownTree } from './owner.js'

export interface RestoreOptions {
  run: string
  to: string
  db: string | null
  fromRoots: string[]
  appDir: string | null
  force: boolean
  identities: string[]
  domains: Set<DomainName>
  maxUnitBytes: number
  /** keep setuid/setgid/sticky bits of archive members */
  keepSpecialModes: boolean
  /** run as root: who owns NEWCLARA afterwards (`USER[:GROUP]`; default the owner of its parent) */
  owner: string | null
  /** units restored at once (--jobs; default one per CPU, at most 4) */
  jobs?: number
  env: NodeJS.ProcessEnv
  cwd: string
  signal?: AbortSignal
}

interface Manifest {
  run_id?: string
  clara?: string
  status?: string
}

/** The run to read: the run itself, or a decrypted copy of it under the state folder. */
export async function openRun(o: Pick<RestoreOptions, 'run' | 'identities' | 'env'>, state: StateDir, report: Report, log: Logger): Promise<string> {
  if (!(await fsp.stat(o.run).catch(() => null))?.isDirectory()) throw new ClaraError(`${o.run}: not a backup run directory`, EXIT.FATAL, 'ENOENT')
  const enc = await encryptedFiles(o.run)
  if (!enc.length) return o.run
  if (!o.identities.length) throw new ClaraError(`the run is encrypted (${enc[0]}${enc.length > 1 ? ` and ${enc.length - 1} more` : ''}): pass --identity FILE`, EXIT.USAGE, 'EENCRYPTED')
  log.info(`decrypting ${enc.length} file(s) into a plaintext copy of the run`)
  report.warnings.push(`the run is encrypted: restored from a decrypted copy (removed afterwards)`)
  return decryptRun(o.run, o.identities, path.join(state.dir, 'decrypted-run'), o.env)
}

/** Everything that can refuse the restore, before anything is written. */
async function checks(o: RestoreOptions, dump: DumpInfo | null, state: StateDir, report: Report, log: Logger) {
  if (o.appDir && dump) {
    const sc = await schemaCheck(o.appDir, migrationHead(dump.meta, APP_LABEL))
    report.preflight.schema = sc
    if ((sc.status === 'older' || sc.status === 'diverged') && !o.force) throw new ClaraError(`${sc.message} (--force restores anyway)`, EXIT.FATAL, 'ESCHEMA')
    if (sc.status !== 'same') {
      log.warn('schema', sc.message)
      report.warnings.push(`schema: ${sc.message}`)
    }
  }
  if (!dump || !o.db) return null
  return checkDbTarget(dump, o.db, o.cwd, state, o.force)
}

interface Plan {
  roots: RootSet
  dump: DumpInfo | null
  units: RestoreUnit[]
  covered: Set<string>
  dbPlan: DbPlan | null
  /** `table.column:key` values left unrewritten (over their limit, --force) */
  keep: Set<string>
}

/** Read the run and decide everything; refuses (throws) before anything is written. */
async function plan(o: RestoreOptions, src: string, state: StateDir, report: Report, log: Logger): Promise<Plan> {
  const manifest = await readJson<Manifest>(path.join(src, 'manifest.json'))
  if (!manifest) report.warnings.push('the run has no manifest.json (unfinished?): old roots come from --from-root and detection only')
  report.run = { dir: o.run, run_id: manifest?.run_id ?? null, clara: manifest?.clara ?? null, status: manifest?.status ?? null }
  report.to = o.to
  const roots = new RootSet(o.to)
  if (manifest?.clara) roots.add(manifest.clara, 'manifest')
  for (const r of o.fromRoots) roots.add(r, 'from-root')
  const dump = o.domains.has('db') ? await findDump(src) : null
  if (o.domains.has('db') && !dump) report.warnings.push('the run has no database dump: the database was not restored')
  const units = await planUnits(src, manifest?.clara ?? null, o.domains)
  report.to_provide = await notStoredUnits(src, o.domains)
  for (const n of report.to_provide) {
    const msg = `not in the backup (${n.reason}): provide ${n.restore_to.join(', ') || 'it'} by hand`
    log.warn(`${n.domain}/${n.unit}`, msg)
    report.warnings.push(`${n.domain}/${n.unit}: ${msg}`)
  }
  const all = o.domains.size === DOMAIN_NAMES.length ? units : await planUnits(src, manifest?.clara ?? null, new Set(DOMAIN_NAMES))
  const covered = o.domains.has('snapshots') ? coveredTargets(all) : new Set<string>()
  const dbPlan = await checks(o, dump, state, report, log)
  const pre = await preflight(dump, units.filter((u) => !u.refusal), roots, o.env)
  report.preflight = { ...report.preflight, db_values: pre.dbValues.length, json_files: pre.jsonFiles, overflow: pre.overflow }
  report.warnings.push(...pre.warnings)
  const keep = overflowGate(pre.overflow, Boolean(dump && dump.engine !== 'sqlite'), o.force, report, log)
  return { roots, dump, units, covered, dbPlan, keep }
}

/** Values over their varchar limit: refused where the engine enforces it (unless --force: kept as they are). */
function overflowGate(overflow: Overflow[], enforced: boolean, force: boolean, report: Report, log: Logger): Set<string> {
  if (overflow.length && enforced && !force) {
    const f = overflow[0]
    throw new ClaraError(`${overflow.length} path(s) would exceed their column limit after the rewrite, e.g. ${f.column} ${f.key}: ${f.length} > ${f.max} characters (${f.rewritten}); choose a shorter --to, or --force to keep those values unrewritten. Nothing was written.`, EXIT.FATAL, 'EOVERFLOW')
  }
  for (const v of overflow) {
    const msg = `${v.column} ${v.key}: ${v.length} > ${v.max} characters after the rewrite${enforced ? ' (kept unrewritten: --force)' : ' (SQLite does not enforce it; PostgreSQL would)'}`
    log.warn('pre-flight', msg)
    report.warnings.push(msg)
  }
  return new Set(enforced ? overflow.map((v) => `${v.column}:${v.key}`) : [])
}

/** The writing half: database, units, folders, proof, report. */
async function write(o: RestoreOptions, p: Plan, state: StateDir, report: Report, out: RecordWriter, log: Logger): Promise<number> {
  if (p.dump && o.db && p.dbPlan) {
    log.info(`database: ${p.dump.path} → ${redactUrl(o.db)}`)
    const r = await restoreDb(p.dump, o.db, o.cwd, o.env, state, p.dbPlan, p.roots, p.keep)
    report.db = { url: redactUrl(o.db), engine: p.dump.engine, dump: p.dump.path, already: r.skipped }
    report.dbRewrites(r.rewrites)
    await out.write({ type: 'restored', domain: 'db', unit: path.basename(p.dump.path), engine: p.dump.engine, ...(r.skipped ? { already: true } : {}) })
  }
  log.info(`${p.units.length} unit(s) → ${o.to}`)
  const trustZips = !(await state.zipsSuspect())
  const dbProof = p.dump && o.db ? { url: o.db, cwd: o.cwd } : undefined
  const done = await restoreUnits(p.units, { root: o.to, state, roots: p.roots, maxUnitBytes: o.maxUnitBytes, out, log, report, covered: p.covered, keepSpecialModes: o.keepSpecialModes, jobs: o.jobs, contentZips: true, trustZips, dbProof, signal: o.signal })
  report.prepared = await prepareDirs(o.to)
  await repairSite(o.to, o.appDir, state, report, log, done.zips, trustZips)
  const owner = newOwner(o.to, o.owner)
  if (owner) report.owner = owner
  await proveAll(o, p.dump, p.roots, p.keep, report, done.dbProof)
  report.old_roots = p.roots.list()
  // one flush for everything written without an fsync (files, markers, content zips), then the report says it is done;
  // the owners are given while the flush (a child process) waits for the disk
  await whileFlushing(o.to, () => owner && ownTree(o.to, owner))
  await state.flushed(!trustZips)
  for (const w of report.warnings) await out.write({ type: 'warning', during: 'restore', item: o.to, message: w })
  const file = await report.write(o.to)
  if (owner) ownTree(file, owner) // and what was written since: the report, the state folder
  if (owner) ownTree(state.dir, owner)
  log.info(`report: ${file}`)
  const status = report.status()
  const u = report.units
  await out.write({ type: 'summary', tool: 'clara-restore', ok: u.restored + u.skipped, failed: u.failed.length + u.refused.length, bytes: report.bytes_restored, status, report: file, proof: report.proof.ok })
  return status === 'complete' ? EXIT.OK : EXIT.PARTIAL
}

/** Flush `root`'s file system while `work` runs (synchronous, on this thread); a failure of either is thrown, the flush's first. */
async function whileFlushing(root: string, work: () => unknown): Promise<void> {
  const flushing = syncFileSystem(root)
  let failed: { err: unknown } | null = null
  try {
    work()
  } catch (err) {
    failed = { err }
  }
  await flushing
  if (failed) throw failed.err
}

/** The restore's state folder under `root`, locked (another restore there: exit 11), its leftovers swept. */
export async function lockedState(root: string): Promise<{ state: StateDir; lock: Lock }> {
  const state = new StateDir(root)
  await fsp.mkdir(state.dir, { recursive: true })
  const lock = await acquireLock(path.join(state.dir, 'lock'), {})
  await state.sweep()
  return { state, lock }
}

export async function restore(o: RestoreOptions, out: RecordWriter, log: Logger): Promise<number> {
  await fsp.mkdir(o.to, { recursive: true })
  const { state, lock } = await lockedState(o.to)
  const report = new Report()
  let src = o.run
  try {
    src = await openRun(o, state, report, log)
    return await write(o, await plan(o, src, state, report, log), state, report, out, log)
  } finally {
    if (src !== o.run) await fsp.rm(src, { recursive: true, force: true })
    await lock.release()
  }
}
