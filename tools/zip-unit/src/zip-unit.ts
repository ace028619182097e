/** One unit record → its archives and metadata.json (or a reused/planned unit), as output records. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { sweepTemps, withAtomicFile, writeJsonAtomic } from '@clara/shared/atomic'
import { syncDir } from '@clara/shared/durability'
import { errorRecord, type ArtifactRecord, type ClaraRecord, type UnitRecord, type WarningRecord } from '@clara/shared/records'
import { faultsFromEnv } from '@clara/shared/source-file'
import { UnitError } from './collect.js'
import { keepExisting, linkUnit, METADATA, previousUnit, readMetadata, reusedArtifacts } from './existing.js'
import { HashSink } from './hash-sink.js'
import { buildMetadata, restoreMap, type ArchiveInfo, type UnitMetadata } from './metadata.js'
import type { ZipOptions } from './options.js'
import { collectUnit, finishPlan, quickFingerprint, type PlannedArchive } from './plan.js'
import { writeArchive, type MemberSum } from './write-archive.js'

export interface UnitResult {
  records: ClaraRecord[]
  failed: boolean
  reused: boolean
  bytes: number
}

const SEGMENT = /^[^/\0.][^/\0]*$/

/** A record the tool cannot act on is that unit's error, not a crash. */
export function validateUnit(rec: UnitRecord): void {
  if (!SEGMENT.test(String(rec.domain ?? '')) || !SEGMENT.test(String(rec.unit ?? ''))) throw new UnitError('domain and unit must be plain names (no "/", not starting with ".")', 'EBADUNIT')
  if (!Array.isArray(rec.archives) || !rec.archives.length) throw new UnitError('a unit needs at least one archive spec', 'EBADUNIT')
  const names = rec.archives.map((a) => a?.name)
  if (names.some((n) => typeof n !== 'string' || !SEGMENT.test(n))) throw new UnitError('archive names must be plain names', 'EBADUNIT')
  if (new Set(names).size !== names.length) throw new UnitError('archive names must be unique', 'EBADUNIT')
}

const itemOf = (rec: UnitRecord) => `${rec.domain}/${rec.unit}`

function result(rec: UnitRecord, doc: UnitMetadata, records: ClaraRecord[], reused: boolean, failed = false): UnitResult {
  return { records, failed, reused, bytes: doc.size_bytes }
}

/** Make the unit directory ready for new contents: old temps gone, old metadata.json gone (unfinished until the new one lands). */
async function prepareDir(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o750 })
  await sweepTemps(dir)
  const had = await fsp.unlink(path.join(dir, METADATA)).then(() => true, () => false)
  if (had) await syncDir(dir)
}

async function writeOne(rec: UnitRecord, a: PlannedArchive, dir: string, o: ZipOptions, fault: ReturnType<typeof faultsFromEnv>): Promise<{ info: ArchiveInfo; sums: MemberSum[] }> {
  const wo = { level: o.level, bigFile: o.bigFile, checksums: o.checksums, fault }
  const info = (size_bytes: number, sha256: string, files: number): ArchiveInfo =>
    ({ name: a.spec.name, path: `${rec.domain}/${rec.unit}/${a.spec.name}.zip`, size_bytes, sha256, files, restore: restoreMap(a.spec) })
  if (o.dryRun) {
    const sink = new HashSink()
    const w = await writeArchive(a.members, sink, wo)
    return { info: info(sink.size, sink.digest(), w.files), sums: w.sums }
  }
  const r = await withAtomicFile(path.join(dir, `${a.spec.name}.zip`), (f) => writeArchive(a.members, f, wo), { mode: 0o640 })
  return { info: info(r.size_bytes, r.sha256, r.result.files), sums: r.result.sums }
}

function outputRecords(rec: UnitRecord, doc: UnitMetadata, o: ZipOptions): ClaraRecord[] {
  const base = { domain: rec.domain, unit: rec.unit }
  const out: ClaraRecord[] = doc.skipped.map((s): WarningRecord =>
    ({ type: 'warning', during: 'zip', item: itemOf(rec), message: `${s.path}: ${s.message}`, ...base, archive: s.archive, path: s.path, ...(s.path_b64 ? { path_b64: s.path_b64 } : {}) }))
  for (const a of doc.archives) {
    const art: ArtifactRecord = { type: 'artifact', ...base, path: a.path, size_bytes: a.size_bytes, sha256: a.sha256, files: a.files, updated_at: doc.created_at }
    out.push(o.dryRun ? { ...art, planned: true } : art)
  }
  const rep = doc.reported ?? []
  if (rep.length) {
    const r = rep[0]
    out.push({ type: 'warning', during: 'zip', item: itemOf(rec), ...base, message: `${rep.length} reference(s) left as they were, e.g. ${r.member}: ${r.reference} (${r.reason})` })
  }
  if (doc.unresolved.length) {
    const u = doc.unresolved[0]
    const msg = `${doc.unresolved.length} unresolved reference(s), e.g. ${u.member}: ${u.reference} (${u.from}: ${u.reason})`
    out.push(errorRecord('zip', itemOf(rec), new Error(msg), { code: 'EUNRESOLVED', ...base }))
  }
  return out
}

/** The previous run's copy of this unit, when its fingerprint is `fp`: hard-linked into `dir` (a dry run only reports it). */
async function tryLink(rec: UnitRecord, prevDir: string, prevDoc: UnitMetadata | null, fp: string | null, dir: string, o: ZipOptions): Promise<UnitResult | null> {
  const prev = fp === null ? null : await previousUnit(rec, prevDir, prevDoc, fp)
  if (!prev) return null
  if (!o.dryRun) {
    await prepareDir(dir)
    const linked = await linkUnit(prev, prevDir, dir).then(() => true, () => false) // EXDEV etc.: rebuild
    if (!linked) return null
  }
  return result(rec, prev, reusedArtifacts(rec, prev, o.dryRun), true)
}

// One fault hook per thread and spec, so a one-shot fault stays one-shot across a retry.
const hooks = new Map<string, ReturnType<typeof faultsFromEnv>>()
function faultHook(spec: string | undefined): ReturnType<typeof faultsFromEnv> {
  if (!spec) return undefined
  if (!hooks.has(spec)) hooks.set(spec, faultsFromEnv({ CLARA_FAULT_INJECT: spec }))
  return hooks.get(spec)
}

async function buildUnit(rec: UnitRecord, o: ZipOptions, quickTried: boolean): Promise<UnitResult> {
  const fault = faultHook(o.faults)
  const dir = path.join(o.dest, rec.domain, rec.unit)
  const po = { level: o.level, checksums: o.checksums, rewriteBudget: o.rewriteBudget, fault }
  const collected = await collectUnit(rec)
  const prevDir = o.linkDest ? path.join(o.linkDest, rec.domain, rec.unit) : ''
  const prevDoc = o.linkDest ? await readMetadata(prevDir) : null
  // An unchanged unit is linked from stats alone: no file is read, not even for its rewrites.
  const quick = prevDoc && !quickTried ? await quickFingerprint(rec, collected, prevDoc.copied, po).catch(() => null) : null
  if (quick !== null && quick === prevDoc!.fingerprint) {
    const linked = await tryLink(rec, prevDir, prevDoc, quick, dir, o)
    if (linked) return linked
  }
  const plan = await finishPlan(rec, collected, po)
  const tried = quick !== null && quick === plan.fingerprint
  const linked = prevDoc && !tried ? await tryLink(rec, prevDir, prevDoc, plan.fingerprint, dir, o) : null
  if (linked) return linked
  if (!o.dryRun) await prepareDir(dir)
  const archives: ArchiveInfo[] = []
  const members: UnitMetadata['members'] = []
  for (const a of plan.archives) {
    const w = await writeOne(rec, a, dir, o, fault)
    archives.push(w.info)
    members.push(...w.sums.map((s) => ({ archive: a.spec.name, ...s })))
  }
  const doc = buildMetadata(rec, { ...plan, archives, members: o.checksums ? members : undefined })
  if (!o.dryRun) await writeJsonAtomic(path.join(dir, METADATA), doc, { mode: 0o640 })
  return result(rec, doc, outputRecords(rec, doc, o), false, doc.unresolved.length > 0)
}

/**
 * The cheap first try of a `--link-dest` run, for the main thread (no worker needs to start when
 * nothing changed): link the unit when its stats alone show it unchanged. Null whenever anything
 * else may apply (a unit already in --dest, a bad record, a walk that fails, a changed unit):
 * zipUnit then decides, with `quickTried` so the stat-only check is not repeated.
 */
export async function quickLink(rec: UnitRecord, o: ZipOptions): Promise<UnitResult | null> {
  if (!o.linkDest) return null
  try {
    validateUnit(rec)
    const dir = path.join(o.dest, rec.domain, rec.unit)
    if (o.existing === 'skip' && o.dest && (await readMetadata(dir))) return null
    const prevDir = path.join(o.linkDest, rec.domain, rec.unit)
    const prevDoc = await readMetadata(prevDir)
    if (!prevDoc) return null
    const fp = await quickFingerprint(rec, await collectUnit(rec), prevDoc.copied, { level: o.level, checksums: o.checksums, rewriteBudget: o.rewriteBudget })
    if (fp === null || fp !== prevDoc.fingerprint) return null
    return await tryLink(rec, prevDir, prevDoc, fp, dir, o)
  } catch {
    return null
  }
}

/** Zip one unit. Never throws: a failure is the unit's `error` record. A source that changes while read is retried once. */
export async function zipUnit(rec: UnitRecord, o: ZipOptions, quickTried = false): Promise<UnitResult> {
  try {
    validateUnit(rec)
    const kept = o.existing === 'skip' && o.dest ? await keepExisting(rec, path.join(o.dest, rec.domain, rec.unit)) : null
    if (kept) return result(rec, kept, reusedArtifacts(rec, kept, o.dryRun), true)
    try {
      return await buildUnit(rec, o, quickTried)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECHANGED') throw err
      return await buildUnit(rec, o, quickTried).catch((e2: Error) => {
        throw Object.assign(new Error(`${e2.message} (retried once)`), { code: (e2 as NodeJS.ErrnoException).code })
      })
    }
  } catch (err) {
    const rec2 = errorRecord('zip', itemOf(rec), err, { domain: rec.domain, unit: rec.unit })
    if (!o.dryRun && o.dest) await dropUnfinished(rec, o.dest)
    return { records: [rec2], failed: true, reused: false, bytes: 0 }
  }
}

/**
 * A unit that failed leaves no folder behind (an empty or metadata-less one would be an unfinished
 * unit to clara-verify): its folder goes when it holds no metadata.json, i.e. nothing finished there.
 */
async function dropUnfinished(rec: UnitRecord, dest: string): Promise<void> {
  if (await fsp.access(path.join(dest, String(rec.domain), String(rec.unit), METADATA)).then(() => true, () => false)) return
  await dropUnit(rec, dest)
}

/** Remove the unit's folder under `dest` (a secret unit this run leaves out must not keep an earlier attempt's plaintext). */
export async function dropUnit(rec: UnitRecord, dest: string): Promise<void> {
  if (!SEGMENT.test(String(rec.domain ?? '')) || !SEGMENT.test(String(rec.unit ?? ''))) return
  await fsp.rm(path.join(dest, rec.domain, rec.unit), { recursive: true, force: true }).catch(() => undefined)
}
