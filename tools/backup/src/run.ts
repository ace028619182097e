/** One backup run: the domains in order into the run directory, then the finish; or the same as a plan (--dry-run). */
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { envLogFlags, Logger } from '@clara/shared/log'
import type { RecordWriter } from '@clara/shared/ndjson'
import { redactUrl } from '@clara/shared/db'
import { perFileEnv } from '@clara/shared/durability'
import { runDomain } from './domain-run.js'
import { DomainThreads } from './domain-threads.js'
import { clearStaleFailures, domainFailures, dropIncomplete, ensureFailures, recordIncomplete } from './domain-failures.js'
import { domainEnv } from './domain-env.js'
import { finishRun } from './finish.js'
import { readJson, type Manifest } from './manifest.js'
import { NAME, type BackupOptions } from './options.js'
import { RunProgress, type PrevTotals } from './progress.js'
import { baseRun, openRunDir, previousRun, runId, sweepRunTemps } from './run-dir.js'
import { printSummary } from './summary.js'
import { PlanTally, type RecordSink } from './plan-tally.js'
import { pool, startOrder } from './schedule.js'
import { fullDiskError, outOfSpace } from './out-of-space.js'
import type { Domain } from './domains.js'
import { domainConfig, inputsContext, linkDomain, prefetchInputs, takeInputs, toolkitStamp, whyNotReuse } from './domain-reuse.js'
import { InputsLedger, readLedger } from './inputs-ledger.js'
import { InputWalker } from './input-walker.js'
import { VERSION } from './finish.js'
import { readBootId, RunDurability } from './durability.js'

export interface RunCtx {
  io: Io
  o: BackupOptions
  log: Logger
  out: RecordWriter
  repo: string
  /** where domain records go (default: out) */
  sink?: RecordSink
  /** set by backupRun once the manifest is written (for --notify and --ping) */
  result?: { manifest: Manifest; latest: string }
}

interface Place {
  id: string
  dir: string
  resumed: boolean
  prev: string | null
  /** the run's durability marks (none in a dry run) */
  durable?: RunDurability
}

/** The live progress, and the seconds each domain took in the previous run (for the start order). */
async function progressFor(c: RunCtx, prev: string | null): Promise<[RunProgress, Record<string, number | undefined>]> {
  const m = prev ? await readJson(path.join(prev, 'manifest.json')) : null
  const prevDomains: Record<string, PrevTotals & { seconds?: number; reused_from?: string }> = m?.domains ?? {}
  // a domain reused whole last time says nothing of what running it costs: it starts after those that ran
  const seconds = Object.fromEntries(Object.entries(prevDomains).map(([dir, d]) => [dir, d?.reused_from ? 0 : typeof d?.seconds === 'number' ? d.seconds : undefined]))
  return [new RunProgress(c.log, () => new Logger(c.io, NAME, c.o.log), c.io.isTTY, c.io.stderr, prevDomains), seconds]
}

/** Relays the tools' log lines, tagged with their domain; --quiet relays none (they are not fatal: a fatal end is ours to say). */
function relayer(c: RunCtx, progress: RunProgress): (line: string, domain?: string) => void {
  const quiet = c.o.log.quiet || envLogFlags(c.io.env).quiet
  return (line, domain) => {
    if (!quiet) progress.relay(line, domain)
  }
}

/**
 * Run every selected domain's script (--jobs at a time), or reuse it whole; returns the exit code of each
 * domain that did not exit 0, and the domains reused whole (by the run they came from).
 */
async function runDomains(c: RunCtx, p: Place, progress: RunProgress, prevSeconds: Record<string, number | undefined>): Promise<{ codes: Map<string, number>; reused: Map<string, string> }> {
  const env = domainEnv(c.io.env, c.repo, { clara: c.o.clara, db: c.o.db, runDir: p.dir, runId: p.id, prev: p.prev }, c.o.flags, c.o.log)
  const codes = new Map<string, number>()
  const reused = new Map<string, string>()
  const sink = c.sink ?? c.out
  const relay = relayer(c, progress)
  const n = c.o.domains.length
  const place = new Map(c.o.domains.map((d, i) => [d, i]))
  const scripts = path.join(c.repo, 'scripts')
  // a dry run plans every domain with its tools; a real one first asks whether a domain can be reused whole
  const reuse = c.o.flags.dry ? null : { ctx: inputsContext(c.o.clara, c.o.db, env), stamp: toolkitStamp(c.repo, VERSION), walker: new InputWalker(), ledger: new InputsLedger(p.dir), prev: p.prev ? await readLedger(p.prev) : { version: 1 as const, domains: {} } }
  // the domains' threads, reused by the next domain after a small one (domain-threads.ts), ended below; the scripts mode starts none
  const threads = new DomainThreads()
  const one = async (d: Domain): Promise<void> => {
    const i = place.get(d) ?? 0
    progress.startDomain(i, n, d)
    const inputs = reuse && (await takeInputs(d, reuse.ctx, domainConfig(d, scripts, env, reuse.stamp, c.o.encryptTo), reuse.walker))
    // a domain that is always run (no inputs to compare) starts at once
    if (inputs && p.prev && !c.o.rescan) {
      const why = await whyNotReuse(p.prev, reuse.prev, p.dir, d, inputs)
      if (why === null) {
        reused.set(d.dir, await reuseDomain(c, p.dir, p.prev, d, codes, env))
        await reuse.ledger.add(inputs)
        progress.endDomain(d)
        return
      }
      c.log.detail(`${d.dir}: running its script (not reused whole: ${why})`)
    }
    if (!c.o.flags.dry && (await dropIncomplete(p.dir, d.dir))) c.log.detail(`${d.dir}: running again after an attempt that did not complete`)
    const r = await runDomain(c.repo, d, {
      env, out: sink, signal: c.io.signal, threads,
      onLine: (line) => relay(line, d.name),
      onProgress: (u) => progress.update(u, d.dir),
    })
    progress.endDomain(d)
    if (r.interrupted) return
    if (r.exit_code !== 0 || !r.stream_ok) codes.set(d.dir, r.stream_ok ? r.exit_code : Math.max(r.exit_code, EXIT.FATAL))
    const added = !c.o.flags.dry && r.stream_ok ? await ensureFailures(p.dir, d.dir, r.errors, r.exit_code) : 0
    if (added) c.log.detail(`${d.dir}/failures.json: ${added} failure(s) added from the error records of ${d.script}`)
    // what the domain read, for the next run to compare (a domain that did not complete has nothing to offer)
    if (reuse && inputs && r.stream_ok && r.exit_code < 2) await reuse.ledger.add(inputs)
    const clean = !c.o.flags.dry && r.stream_ok && r.exit_code === 0 && r.errors.length === 0
    const dropped = clean ? await clearStaleFailures(p.dir, d.dir) : 0
    if (dropped) c.log.info(`${d.dir}/failures.json: ${dropped} failure(s) of an earlier attempt dropped: the domain succeeded this time`)
    // The domain's error records mostly end in its failures.json (clara-index keeps them), so both are looked at.
    // out of space: an error record, a failures.json entry, or (a tool that stopped on it) its last log lines
    const spaceLine = r.lastLines.find((line) => outOfSpace({ message: line }))
    const full = c.o.flags.dry || r.exit_code === 0 ? undefined : ((r.errors.find(outOfSpace) ?? (await domainFailures(p.dir, d.dir)).find(outOfSpace) ?? (spaceLine ? { item: d.dir, message: spaceLine } : undefined)) as { item?: unknown; message?: unknown } | undefined)
    if (full) {
      c.log.error(d.name, `the backup filesystem is full (${String(full.item ?? d.dir)}: ${String(full.message)}): free space, then finish the run with --resume ${p.id}`)
      codes.set(d.dir, Math.max(codes.get(d.dir) ?? 0, EXIT.FATAL))
    }
    const code = codes.get(d.dir) ?? 0
    if (code >= 2) {
      const why = String(full?.message ?? r.lastLines.at(-1) ?? r.message ?? '')
      // the tool's own last line is not relayed under --quiet: this line says it
      c.log.error(d.name, `did not complete (exit ${r.exit_code}${full ? ', out of space' : ''}${r.message || why ? `; ${r.message ?? why}` : ''})`)
      const errCode = full ? 'ENOSPC' : 'EDOMAIN'
      await sink.write({ type: 'error', during: 'domain', item: d.name, domain: d.dir, message: `domain did not complete (exit ${r.exit_code}${full ? ', out of space' : ''})`, code: errCode })
      // the run's failures.json must say so too: the domain's tools wrote no failures.json of their own
      if (!c.o.flags.dry) {
        await recordIncomplete(p.dir, d.dir, { message: `did not complete (exit ${r.exit_code})${why ? `: ${why}` : ''}`, code: errCode })
          .catch((err: NodeJS.ErrnoException) => c.log.error(d.name, `cannot record it in ${d.dir}/failures.json: ${err.code ?? err.message}`))
      }
    }
  }
  try {
    const order = startOrder(c.o.domains, c.o.jobs, prevSeconds)
    if (reuse) prefetchInputs(order, reuse.ctx, reuse.walker)
    // each domain flushed and marked durable when its tools have finished (durability.ts)
    const durable = p.durable
    await pool(order, c.o.jobs, durable ? (d) => durable.domain(d.dir, () => one(d), c.io.signal) : one, () => c.io.signal.aborted)
  } finally {
    await Promise.all([reuse?.walker.close(), threads.close()])
  }
  if (c.io.signal.aborted) throw Object.assign(new Error('interrupted'), { name: 'AbortError' })
  return { codes, reused }
}

/** Hard-link the previous run's domain whole: its failures (inputs-bound, so the same) make the run partial again. */
async function reuseDomain(c: RunCtx, runDir: string, prev: string, d: Domain, codes: Map<string, number>, env: NodeJS.ProcessEnv): Promise<string> {
  const from = path.basename(prev)
  const files = await linkDomain(path.join(prev, d.dir), path.join(runDir, d.dir), env)
  const failures = (await domainFailures(runDir, d.dir)).length
  if (failures) codes.set(d.dir, EXIT.PARTIAL)
  c.log.detail(`${d.dir}: inputs unchanged since run ${from}: reused whole (${files} files hard-linked)`)
  await (c.sink ?? c.out).write({ type: 'summary', tool: NAME, domain: d.dir, reused_from: from, files, failures })
  return from
}

const brokenOf = (codes: Map<string, number>) => new Map([...codes].filter(([, code]) => code >= 2))

/** --dry-run: the domains' plans as records (planned: true); nothing is written, no lock is taken. */
export async function dryRun(c: RunCtx): Promise<number> {
  const id = runId()
  const prev = c.o.full ? null : await previousRun(c.o.root)
  c.log.info(`dry run: planning run ${id} in ${c.o.root}${prev ? ` (incremental from ${path.basename(prev)})` : ''}; nothing is written`)
  const tally = new PlanTally(c.out)
  const { codes } = await runDomains({ ...c, sink: tally }, { id, dir: path.join(c.o.root, id), resumed: false, prev }, ...(await progressFor(c, prev)))
  c.log.info(tally.line())
  await c.out.end()
  return brokenOf(codes).size ? EXIT.FATAL : codes.size ? EXIT.PARTIAL : EXIT.OK
}

/** A real run, under the lock: run directory, domains, finish, summary. */
export async function backupRun(c: RunCtx): Promise<number> {
  const started = new Date()
  const run = await openRunDir(c.o.root, c.o.resume, started)
  if (run.resumed) {
    const swept = await sweepRunTemps(run.dir)
    if (swept) c.log.info(`resume: removed ${swept} temp file(s) left by the interrupted run`)
  }
  const prev = c.o.full ? null : await baseRun(c.o.root, run)
  c.log.info(`${run.resumed ? 'resuming' : 'starting'} run ${run.id} in ${c.o.root}${prev ? ` (incremental from ${path.basename(prev)})` : ' (full)'}; database ${redactUrl(c.o.db)}`)
  const durable = await RunDurability.open(run.dir, run.resumed, { bootId: () => readBootId(c.io.env), warn: (dir, msg) => c.log.warn(dir, msg) }).catch((err) => {
    throw fullDiskError(err, run.id)
  })
  const [progress, prevSeconds] = await progressFor(c, prev)
  const { codes, reused } = await runDomains(c, { ...run, prev, durable }, progress, prevSeconds).catch((err) => {
    if ((err as Error).name === 'AbortError') c.log.error(run.id, `interrupted: finish it with --resume ${run.id}`)
    throw fullDiskError(err, run.id)
  })
  const broken = brokenOf(codes)
  const f = c.o.flags
  const { manifest, latest } = await finishRun(run, {
    repo: c.repo, root: c.o.root, clara: c.o.clara, started, prev, domains: c.o.domains, broken, reused,
    selection: { only: f.only, skip: f.skip, text_types: f.textTypes ?? null, domains: c.o.domains.map((d) => d.name) },
    encryptTo: c.o.encryptTo, group: c.o.group, env: perFileEnv(domainEnv(c.io.env, c.repo, { clara: c.o.clara, db: c.o.db, runDir: run.dir, runId: run.id, prev }, f, c.o.log)),
    log: c.log, relay: relayer(c, progress), seconds: (dir) => progress.seconds(dir), beforeManifest: () => durable.beforeManifest(),
  }).catch((err) => {
    throw fullDiskError(err, run.id)
  })
  c.result = { manifest, latest }
  await c.out.write({ type: 'run', ...manifest })
  printSummary(c.log, manifest, (dir) => progress.seconds(dir), latest)
  await c.out.end()
  const notDone = Object.entries(manifest.domains).filter(([, d]) => d.incomplete).map(([dir]) => dir)
  if (manifest.status === 'incomplete') throw new ClaraError(`run ${run.id} is incomplete: ${notDone.join(', ')} did not complete`, EXIT.FATAL)
  return manifest.status === 'complete' ? EXIT.OK : EXIT.PARTIAL
}
