/** One clara-shard run: collect, plan, reuse what is unchanged, write the rest, update the index. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { sweepTemps } from '@clara/shared/atomic'
import type { Logger } from '@clara/shared/log'
import type { ClaraRecord } from '@clara/shared/records'
import { faultsFromEnv } from '@clara/shared/source-file'
import { WriterThread } from './archive-sink.js'
import { stageReuse, writeJob, type JobContext, type Job } from './archive-job.js'
import { collectFromRecords, collectFromRoots, type Collected } from './collect.js'
import { Emitter } from './emitter.js'
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
  const thread = new WriterThread()
  const ctx: JobContext = { outDir, compress: o.compress, level: o.level, settings: settingsOf(o), fault: faultsFromEnv(io.env), signal: io.signal, thread }
  let entries: ShardEntry[]
  try {
    entries = await produce(jobs, o, ctx, em, log)
  } finally {
    await thread.close()
  }
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

/** Reuse first (all links staged before any rename), then write what is new. */
async function produce(jobs: Job[], o: Options, ctx: JobContext, em: Emitter, log: Logger): Promise<ShardEntry[]> {
  const dirs = [...(o.existing === 'skip' ? [ctx.outDir] : []), ...(o.linkDest ? [path.join(o.linkDest, o.domain)] : [])]
  const candidates = o.full ? new Map() : await loadCandidates(dirs)
  const done = new Map<Job, ShardEntry>()
  const staged = []
  for (const job of jobs) {
    const r = await stageReuse(job, candidates.get(job.fingerprint), ctx, o.checksums)
    if (!r) continue
    done.set(job, r.entry)
    staged.push(...r.staged)
  }
  await commitStaged(staged)
  const total = jobs.reduce((n, j) => n + j.members.length, 0)
  let items = 0
  let bytes = 0
  for (const job of jobs) {
    let entry = done.get(job)
    if (!entry) {
      const res = await writeJob(job, ctx)
      for (const p of res.problems) await em.problem(p, 'read', res.entry.name)
      entry = res.entry
      done.set(job, entry)
    }
    await em.artifact(entry)
    items += job.members.length
    bytes += entry.size_bytes
    if (o.progress) log.progress({ label: o.domain, items, total, bytes })
  }
  log.done()
  return jobs.map((j) => done.get(j)!)
}
