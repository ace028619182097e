/** One clara-shard run: collect, plan, reuse what is unchanged, write the rest, update the index. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { sweepTemps } from '@clara/shared/atomic'
import type { Logger } from '@clara/shared/log'
import type { ClaraRecord } from '@clara/shared/records'
import { faultsFromEnv } from '@clara/shared/source-file'
import { WriterThread } from './archive-sink.js'
import { stageReuse, writeJob, type JobContext, type Job, type JobResult } from './archive-job.js'
import { collectFromRecords, collectFromRoots, type Collected } from './collect.js'
import { Emitter } from './emitter.js'
import { JobPool, type PoolContext } from './job-pool.js'
import { updateIndex, type ShardEntry } from './index-doc.js'
import type { Options } from './options.js'
import { dedupe, groupOf, plannedEntry, planJobs, settingsOf } from './plan.js'
import { writeReports } from './reports.js'
import { commitStaged, loadCandidates } from './reuse.js'
import { removeStale } from './stale.js'

export interface RunIo {
  stdin: NodeJS.ReadableStream
  env: NodeJS.ProcessEnv
  signal: AbortSignal
}

/** Returns the index entries of the archives written or reused. */
export async function shardRun(io: RunIo, o: Options, em: Emitter, log: Logger): Promise<ShardEntry[]> {
  const outDir = path.join(o.dest, o.domain)
  const c = await collect(io, o, em)
  const { kept, dropped } = dedupe(c.members)
  for (const m of dropped) await em.problem({ kind: 'error', item: m.name, message: `${m.name}: listed twice (kept the first)`, code: 'EDUPLICATE' }, 'plan')
  const jobs = planJobs(kept, o)
  if (o.dryRun) {
    const planned = jobs.map(plannedEntry)
    for (const e of planned) await em.artifact(e, true)
    return planned
  }
  await fsp.mkdir(path.join(outDir, o.single ? '' : 'archives'), { recursive: true })
  await sweepTemps(outDir)
  await sweepTemps(path.join(outDir, 'archives'))
  const ctx: WriteContext = { outDir, compress: o.compress, level: o.level, settings: settingsOf(o), faultSpec: io.env.CLARA_FAULT_INJECT }
  const entries = await produce(jobs, o, ctx, io.signal, em, log)
  await removeStale(outDir, o.single ? '' : 'archives', groupOf(o), Boolean(o.single), entries)
  const reports = o.reportTypes.length ? await writeReports(outDir, c.reports) : {}
  await updateIndex(outDir, o.domain, groupOf(o), {
    kind: o.single ? 'single' : 'shards',
    roots: c.roots,
    missing_roots: c.missing_roots,
    ...(o.restoreTo !== undefined ? { restore_to: o.restoreTo } : {}),
    compress: settingsOf(o),
    ...(o.single ? {} : { shard_size_bytes: o.shardSizeBytes }),
    reports,
    failures: em.failures.length,
    updated_at: new Date().toISOString(),
  }, entries, em.failures)
  return entries
}

async function collect(io: RunIo, o: Options, em: Emitter): Promise<Collected> {
  const onProblem = (p: Parameters<Emitter['problem']>[0], during: string) => em.problem(p, during)
  const c = o.roots.length
    ? await collectFromRoots(o.roots, { exclude: o.exclude, dirs: Boolean(o.single) }, onProblem)
    : await collectFromRecords(io.stdin, (r: ClaraRecord) => em.record(r), o.reportTypes, onProblem)
  for (const rec of c.upstream) em.upstream(rec)
  return c
}

type WriteContext = Omit<JobContext, 'thread' | 'fault' | 'signal'> & PoolContext

/** Reuse first (all links staged before any rename), then write what is new: one archive at a time here, or `--workers` at once. */
async function produce(jobs: Job[], o: Options, ctx: WriteContext, signal: AbortSignal, em: Emitter, log: Logger): Promise<ShardEntry[]> {
  const dirs = [...(o.existing === 'skip' ? [ctx.outDir] : []), ...(o.linkDest ? [path.join(o.linkDest, o.domain)] : [])]
  const candidates = o.full ? new Map() : await loadCandidates(dirs)
  const done = new Map<Job, ShardEntry>()
  const staged = []
  for (const job of jobs) {
    const r = await stageReuse(job, candidates.get(job.fingerprint), ctx.outDir, o.checksums)
    if (!r) continue
    done.set(job, r.entry)
    staged.push(...r.staged)
  }
  await commitStaged(staged)
  const todo = jobs.filter((j) => !done.has(j))
  const writer = todo.length ? archiveWriter(Math.min(o.workers, todo.length), ctx, signal, jobBytes(todo)) : null
  const results = new Map(o.workers > 1 ? todo.map((j) => [j, writer!.write(j)]) : [])
  for (const p of results.values()) p.catch(() => {}) // awaited in order below
  const total = jobs.reduce((n, j) => n + j.members.length, 0)
  let items = 0
  let bytes = 0
  try {
    for (const job of jobs) {
      let entry = done.get(job)
      if (!entry) {
        const res = await (results.get(job) ?? writer!.write(job))
        for (const p of res.problems) await em.problem(p, 'read', res.entry.name)
        entry = res.entry
        done.set(job, entry)
      }
      await em.artifact(entry)
      items += job.members.length
      bytes += entry.size_bytes
      if (o.progress) log.progress({ label: o.domain, items, total, bytes })
    }
  } catch (err) {
    writer?.abort()
    await Promise.allSettled(results.values()) // every other archive is aborted too (its temp file removed)
    throw err
  } finally {
    await writer?.close()
  }
  log.done()
  return jobs.map((j) => done.get(j)!)
}

interface ArchiveWriter {
  write(job: Job): Promise<JobResult>
  abort(): void
  close(): Promise<void>
}

/**
 * Below this many bytes in all, one lane writes its archives from this thread too (on libuv's
 * threads, as a pool worker does) instead of starting a writer thread: the thread's start (~0.03–0.05
 * s of CPU and a heap) costs more than the hashing it takes off this thread (the archive's and its
 * members' sha256, ~2 ms per MiB at ~1 GB/s here).
 */
export const WRITER_THREAD_MIN_BYTES = 20 << 20

const jobBytes = (jobs: Job[]): number => jobs.reduce((n, j) => j.members.reduce((m, x) => m + x.entry.size, n), 0)

/**
 * One lane: archives written from here, with a writer thread (this thread itself when they are
 * small: WRITER_THREAD_MIN_BYTES). More lanes: this thread is one of
 * them (writing on libuv's threads instead of a writer thread) plus `lanes - 1` pool workers, each
 * archive going to whichever lane is free first (the pool's workers before this thread, which
 * also hands out the records).
 */
function archiveWriter(lanes: number, ctx: WriteContext, signal: AbortSignal, bytes: number): ArchiveWriter {
  const fault = faultsFromEnv({ CLARA_FAULT_INJECT: ctx.faultSpec })
  if (lanes <= 1) {
    const thread = new WriterThread({ local: bytes < WRITER_THREAD_MIN_BYTES })
    const jc: JobContext = { ...ctx, thread, fault, signal }
    return { write: (job) => writeJob(job, jc), abort: () => {}, close: () => thread.close() }
  }
  const ac = new AbortController()
  const pool = new JobPool(lanes - 1, ctx)
  const abort = () => {
    ac.abort()
    pool.abort()
  }
  signal.addEventListener('abort', abort)
  const jc: JobContext = { ...ctx, thread: new WriterThread({ local: true }), fault, signal: ac.signal }
  const queue: { job: Job; resolve: (r: JobResult) => void; reject: (e: unknown) => void }[] = []
  let here = false // this thread is writing an archive
  const pump = (): void => {
    while (queue.length && (pool.free > 0 || !here)) {
      const q = queue.shift()!
      if (pool.free > 0) {
        pool.run(q.job).then(q.resolve, q.reject).finally(pump)
        continue
      }
      here = true
      writeJob(q.job, jc)
        .then(q.resolve, q.reject)
        .finally(() => {
          here = false
          pump()
        })
    }
  }
  return {
    write: (job) =>
      new Promise((resolve, reject) => {
        queue.push({ job, resolve, reject })
        pump()
      }),
    abort,
    close: async () => {
      signal.removeEventListener('abort', abort)
      await pool.close()
    },
  }
}
