/**
 * `--workers N`: archives written in parallel, by the main thread and N-1 worker threads of this
 * pool (see run.ts). Each reads the files, lays out the tar, hashes the members and the archive,
 * and writes it (the write calls run on libuv's threads, so disk time overlaps the reading).
 */
import { Worker } from 'node:worker_threads'
import { ClaraError } from '@clara/shared/cli'
import type { TreeEntry } from '@clara/shared/walk'
import type { Job, JobResult } from './archive-job.js'
import type { CompressMode } from './compression.js'
import { byteKey, type Member } from './member.js'

/** What a worker needs besides the job (all of it cloneable). */
export interface PoolContext {
  outDir: string
  compress: CompressMode
  level: number
  settings: string
  /** CLARA_FAULT_INJECT (tests) */
  faultSpec?: string
}

/** A member as it crosses to a worker: raw byte strings as latin1 (a Buffer would drag its whole pool slab along). */
export interface WireMember {
  name: string
  nameBytes: string
  entry: Omit<TreeEntry, 'abs' | 'relBytes'> & { abs: string; relBytes: string }
}

export function toWire(m: Member): WireMember {
  return { name: m.name, nameBytes: byteKey(m), entry: { ...m.entry, abs: m.entry.abs.toString('latin1'), relBytes: m.entry.relBytes.toString('latin1') } }
}

export function fromWire(w: WireMember): Member {
  return { name: w.name, nameBytes: Buffer.from(w.nameBytes, 'latin1'), entry: { ...w.entry, abs: Buffer.from(w.entry.abs, 'latin1'), relBytes: Buffer.from(w.entry.relBytes, 'latin1') } }
}

export interface WireError {
  message: string
  name: string
  code?: string
  exitCode?: number
}

export function toWireError(err: unknown): WireError {
  const e = err as Error & { code?: string; exitCode?: number }
  return { message: e?.message ?? String(err), name: e?.name ?? 'Error', code: e?.code, exitCode: e instanceof ClaraError ? e.exitCode : undefined }
}

function fromWireError(w: WireError): Error {
  if (w.exitCode !== undefined) return new ClaraError(w.message, w.exitCode as ClaraError['exitCode'], w.code)
  return Object.assign(new Error(w.message), { name: w.name, code: w.code })
}

type Reply = { id: number; res?: JobResult; error?: WireError }

export class JobPool {
  private workers: Worker[] = []
  private idle: Worker[] = []
  private waiting: ((w: Worker) => void)[] = []
  private pending = new Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void }>()
  private ids = 0
  /** set to 1 to make every worker stop at its next member (interrupt, or another job failed) */
  readonly abortFlag = new Int32Array(new SharedArrayBuffer(4))

  constructor(n: number, ctx: PoolContext) {
    for (let i = 0; i < n; i++) {
      // no execArgv: the thread needs none of the parent's loaders (a test runner's would slow its start by seconds)
      const w = new Worker(new URL('./job-worker.js', import.meta.url), { execArgv: [], workerData: { ctx, abortFlag: this.abortFlag }, resourceLimits: { maxYoungGenerationSizeMb: 6 } })
      w.on('message', (r: Reply) => {
        const p = this.pending.get(r.id)
        this.pending.delete(r.id)
        this.release(w)
        if (r.error) p?.reject(fromWireError(r.error))
        else p?.resolve(r.res!)
      })
      w.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err)
        this.pending.clear()
      })
      this.workers.push(w)
      this.idle.push(w)
    }
  }

  private release(w: Worker): void {
    const next = this.waiting.shift()
    if (next) next(w)
    else this.idle.push(w)
  }

  private acquire(): Promise<Worker> {
    const w = this.idle.pop()
    return w ? Promise.resolve(w) : new Promise((resolve) => this.waiting.push(resolve))
  }

  /** Workers without a job. */
  get free(): number {
    return this.idle.length
  }

  /** Write one archive on the next free worker. */
  async run(job: Job): Promise<JobResult> {
    const w = this.idle.pop() ?? (await this.acquire())
    const id = ++this.ids
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      w.postMessage({ id, job: { ...job, members: job.members.map(toWire) } })
    })
  }

  abort(): void {
    Atomics.store(this.abortFlag, 0, 1)
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}
