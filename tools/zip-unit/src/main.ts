import { availableParallelism } from 'node:os'
import path from 'node:path'
import { existsSync } from 'node:fs'
import { parseArgs } from '@clara/shared/args'
import { EXIT, UsageError, type Io } from '@clara/shared/cli'
import { Logger, withLogFlags } from '@clara/shared/log'
import { readRecords, RecordWriter } from '@clara/shared/ndjson'
import type { ClaraRecord, NotStoredRecord, UnitRecord } from '@clara/shared/records'
import { BIG_FILE, DEFAULT_LEVEL, REWRITE_BUDGET, TOOLKIT_VERSION, type ZipOptions } from './options.js'
import { PER_WORKER, UnitPool } from './pool.js'
import { EAGER, SPILL } from './spill.js'
import { dropUnit, type UnitResult } from './zip-unit.js'

const USAGE = `$0 --dest DIR [options] < units.ndjson > artifacts.ndjson

Turn unit records into <dest>/<domain>/<unit>/<archive>.zip plus metadata.json (written last),
emitting one artifact record per zip. Other record types pass through unchanged.`

const DEFAULT_WORKERS = Math.min(2, availableParallelism())

async function options(io: Io) {
  const o = await parseArgs(io, {
    name: 'clara-zip-unit',
    usage: USAGE,
    version: TOOLKIT_VERSION,
    build: (y) => withLogFlags(y
      .option('dest', { type: 'string', describe: 'backup run directory (required unless --dry-run)' })
      .option('workers', { type: 'number', default: DEFAULT_WORKERS, describe: 'units zipped in parallel: this thread, then worker threads when units wait and a core is idle; output keeps input order' })
      .option('existing', { choices: ['skip', 'overwrite'] as const, default: 'skip' as const, describe: 'skip: keep a finished unit whose archives still match their size and sha256' })
      .option('link-dest', { type: 'string', describe: 'previous run directory: hard-link units whose fingerprint is unchanged' })
      .option('checksums', { type: 'boolean', default: false, describe: "also record every member's sha256 in metadata.json" })
      .option('dry-run', { type: 'boolean', default: false, describe: 'emit the same records with planned: true; write nothing' })
      .option('level', { type: 'number', default: DEFAULT_LEVEL, describe: 'deflate level for compressible members (0 stores everything)' })
      .option('secret-units', { choices: ['omit', 'store'] as const, describe: 'units marked secret: omit (a not_stored record) or store (only when the run encrypts them after; env CLARA_SECRET_UNITS, default omit)' })),
  })
  if (!o) return null
  if (!o.dest && !o['dry-run']) throw new UsageError('--dest DIR is required (or --dry-run)')
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new UsageError('--workers must be a whole number ≥ 1')
  if (!Number.isInteger(o.level) || o.level < 0 || o.level > 9) throw new UsageError('--level must be 0–9')
  const secretUnits = o['secret-units'] ?? (io.env.CLARA_SECRET_UNITS || 'omit')
  if (secretUnits !== 'omit' && secretUnits !== 'store') throw new UsageError(`CLARA_SECRET_UNITS: "${secretUnits}" is not omit or store`)
  const zo: ZipOptions = {
    dest: o.dest ? path.resolve(io.cwd, o.dest) : '',
    level: o.level,
    checksums: o.checksums,
    dryRun: o['dry-run'],
    existing: o.existing,
    linkDest: o['link-dest'] ? path.resolve(io.cwd, o['link-dest']) : undefined,
    faults: io.env.CLARA_FAULT_INJECT || undefined,
    bigFile: Number(io.env.CLARA_ZIP_BIG_FILE) || BIG_FILE,
    rewriteBudget: Number(io.env.CLARA_ZIP_REWRITE_BUDGET) || REWRITE_BUDGET,
  }
  return { zo, workers: o.workers, log: o, secretUnits }
}

/** A secret unit left out: what it was and where it belongs, never its contents. */
function notStored(rec: UnitRecord): NotStoredRecord {
  const restoreTo = (Array.isArray(rec.archives) ? rec.archives : []).flatMap((a) => (Array.isArray(a?.sources) ? a.sources : []).map((src) => src?.restore_to)).filter((p): p is string => typeof p === 'string')
  return { type: 'not_stored', domain: rec.domain, unit: rec.unit, reason: 'a secret unit, stored only encrypted, and the run had no --encrypt-to recipient', restore_to: restoreTo }
}

type Slot = { pass: ClaraRecord } | { unit: UnitRecord; r: UnitResult }

/** clara-zip-unit: unit records → deterministic zips + metadata.json, artifact records out. */
export async function main(io: Io): Promise<number> {
  const opts = await options(io)
  if (!opts) return EXIT.OK
  const { zo, workers, secretUnits } = opts
  const log = new Logger(io, 'clara-zip-unit', opts.log)
  if (zo.linkDest && !existsSync(zo.linkDest)) {
    log.warn(zo.linkDest, '--link-dest does not exist; building every unit')
    zo.linkDest = undefined
  }
  const out = new RecordWriter(io.stdout)
  const pool = new UnitPool(workers, zo, io.env.CLARA_ZIP_SPILL === 'eager' ? EAGER : SPILL)
  const s = { units: 0, failed: 0, reused: 0, bytes: 0 }
  const omitted: string[] = []
  const emit = async (x: Slot) => {
    if ('pass' in x) return out.write(x.pass)
    s.units++
    s.bytes += x.r.bytes
    if (x.r.failed) s.failed++
    if (x.r.reused) s.reused++
    for (const r of x.r.records) {
      if (r.type === 'error') log.error(String(r.item), String(r.message))
      else if (r.type === 'warning') log.warn(String(r.item), String(r.message))
      await out.write(r)
    }
    log.detail(`${x.unit.domain}/${x.unit.unit}: ${x.r.failed ? 'failed' : x.r.reused ? 'reused' : 'done'}`)
    log.progress({ label: 'zip', items: s.units, bytes: s.bytes })
  }
  const ahead = Math.max(workers, 1) * (PER_WORKER + 1)
  const window: Promise<Slot>[] = []
  try {
    for await (const rec of readRecords(io.stdin)) {
      if (io.signal.aborted) throw Object.assign(new Error('interrupted'), { name: 'AbortError' })
      // a secret unit is stored only when the run encrypts it afterwards: otherwise nothing of it is read or written
      const omit = rec.type === 'unit' && (rec as UnitRecord).secret === true && secretUnits === 'omit'
      if (omit) {
        omitted.push(`${rec.domain}/${rec.unit}`)
        // a resumed run may hold it from an attempt that was to encrypt it: nothing of it stays
        if (!zo.dryRun && zo.dest) await dropUnit(rec as UnitRecord, zo.dest)
      }
      const p: Promise<Slot> = omit ? Promise.resolve({ pass: notStored(rec as UnitRecord) }) : rec.type === 'unit' ? pool.run(rec as UnitRecord).then((r) => ({ unit: rec as UnitRecord, r })) : Promise.resolve({ pass: rec })
      p.catch(() => {}) // awaited below in order; this only keeps an early exit from leaving it unhandled
      window.push(p)
      while (window.length >= ahead) await emit(await window.shift()!)
    }
    while (window.length) await emit(await window.shift()!)
  } finally {
    await pool.close()
    log.done()
  }
  const ok = s.units - s.failed
  await out.write({ type: 'summary', tool: 'clara-zip-unit', ok, failed: s.failed, bytes: s.bytes, units: s.units, reused: s.reused, ...(omitted.length ? { not_stored: omitted.length } : {}), ...(zo.dryRun ? { planned: true } : {}) })
  await out.end()
  const left = omitted.length ? `; not stored (secret, no encryption): ${omitted.join(', ')}` : ''
  log.info(`${s.units} units (${s.reused} reused), ${s.failed} failed, ${s.bytes} bytes${zo.dryRun ? ' (dry run: nothing written)' : ''}${left}`)
  return s.failed ? EXIT.PARTIAL : EXIT.OK
}
