/** NDJSON streams between tools: line-numbered parsing, backpressure, and the closing `end` record. */
import type { Readable, Writable } from 'node:stream'
import split2 from 'split2'
import { ClaraError, EXIT } from './cli.js'
import type { ClaraRecord } from './records.js'

const MAX_LINE = 64 * 1024 * 1024

export interface ReadOptions {
  /** name used in error messages, e.g. `stdin` */
  source?: string
  /** the stream must close with an `end` record (default true) */
  requireEnd?: boolean
}

/**
 * Read records. Blank lines are skipped; malformed JSON or a record without `type` is fatal
 * (`stdin:N: …`, exit 3). `end` records are checked and consumed, not yielded; a stream that
 * stops without one is an error, never a smaller input.
 */
export async function* readRecords(stream: Readable, opts: ReadOptions = {}): AsyncGenerator<ClaraRecord> {
  const source = opts.source ?? 'stdin'
  const requireEnd = opts.requireEnd ?? true
  const lines = stream.pipe(split2({ maxLength: MAX_LINE }))
  stream.on('error', (err) => lines.destroy(err))
  let n = 0
  let sinceEnd = 0
  let ended = true
  let sawAny = false
  for await (const line of lines as AsyncIterable<string>) {
    n++
    if (line.trim() === '') continue
    let rec: ClaraRecord
    try {
      rec = JSON.parse(line)
    } catch (err) {
      throw new ClaraError(`${source}:${n}: ${(err as Error).message}`, EXIT.FATAL, 'EBADNDJSON')
    }
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec) || typeof rec.type !== 'string') {
      throw new ClaraError(`${source}:${n}: not a record (an object with a "type")`, EXIT.FATAL, 'EBADNDJSON')
    }
    sawAny = true
    if (rec.type === 'end') {
      const count = (rec as { count?: unknown }).count
      if (count !== sinceEnd) {
        throw new ClaraError(`${source}:${n}: end record says ${String(count)} records, stream had ${sinceEnd}`, EXIT.FATAL, 'ETRUNCATED')
      }
      sinceEnd = 0
      ended = true
      continue
    }
    ended = false
    sinceEnd++
    yield rec
  }
  if (requireEnd && (!ended || !sawAny)) {
    throw new ClaraError(`${source}:${n}: stream ended without its end record (truncated, or the producer failed)`, EXIT.FATAL, 'ETRUNCATED')
  }
}

/** Writes one record per line, waiting for `drain` when the consumer is slow. */
export class RecordWriter {
  count = 0
  private closed = false
  constructor(private out: Writable) {}

  async write(rec: ClaraRecord): Promise<void> {
    if (rec.type === 'end') return // our own end record closes the stream
    this.count++
    if (!this.out.write(JSON.stringify(rec) + '\n')) await drained(this.out)
  }

  /** Write many records, joined into writes of ~64 KB (one write per record costs a syscall each on a pipe). */
  async writeMany(recs: Iterable<ClaraRecord>): Promise<void> {
    let text = ''
    for (const rec of recs) {
      if (rec.type === 'end') continue
      this.count++
      text += JSON.stringify(rec) + '\n'
      if (text.length >= 1 << 16) {
        if (!this.out.write(text)) await drained(this.out)
        text = ''
      }
    }
    if (text && !this.out.write(text)) await drained(this.out)
  }

  /** Close the stream normally with `{"type":"end","count":N}`. Call only on success. */
  async end(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (!this.out.write(JSON.stringify({ type: 'end', count: this.count }) + '\n')) await drained(this.out)
  }
}

function epipe(): Error {
  return Object.assign(new Error('stdout closed'), { code: 'EPIPE' })
}

/**
 * Wait for `drain`; reject with EPIPE if the stream closes first. Every listener is removed
 * again (a `once(out, 'close')` per wait would pile up listeners on a long slow stream).
 */
export function drained(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(epipe())
  return new Promise((resolve, reject) => {
    const settle = (err?: Error) => {
      out.off('drain', onDrain)
      out.off('close', onClose)
      out.off('error', onError)
      if (err) reject(err)
      else resolve()
    }
    const onDrain = () => settle()
    const onClose = () => settle(epipe())
    const onError = (err: Error) => settle(err)
    out.on('drain', onDrain)
    out.on('close', onClose)
    out.on('error', onError)
  })
}

/** Read all records from a stream into memory (for small inputs such as index files). */
export async function collectRecords(stream: Readable, opts?: ReadOptions): Promise<ClaraRecord[]> {
  const out: ClaraRecord[] = []
  for await (const r of readRecords(stream, opts)) out.push(r)
  return out
}
