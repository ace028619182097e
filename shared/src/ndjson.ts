/** NDJSON streams between tools: line-numbered parsing, backpressure, and the closing `end` record. */
import type { Readable, Writable } from 'node:stream'
import { ClaraError, EXIT } from './cli.js'
import type { ClaraRecord } from './records.js'

/** The longest line a tool accepts (no record comes near it: the biggest are unit records with their file lists). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024

/** A line longer than the cap: thrown at once, with only the cap's bytes read into memory. */
export class LineTooLongError extends ClaraError {
  constructor(source: string, n: number, max: number) {
    super(`${source}:${n}: line longer than ${max} bytes (the limit): not a record stream, or a corrupt one`, EXIT.FATAL, 'ELINETOOLONG')
    this.name = 'LineTooLongError'
  }
}

export interface LineOptions {
  /** name used in error messages */
  source?: string
  /** the cap (default MAX_LINE_BYTES) */
  maxBytes?: number
  /** cut an over-long line at the cap and skip its rest, instead of throwing (log lines) */
  truncate?: boolean
}

/**
 * Split a byte stream into lines (UTF-8, without the LF; a CR before it is dropped), each chunk
 * scanned once, so a long line costs linear time; a line over `maxBytes` throws LineTooLongError
 * (or is cut, with `truncate`) as soon as the cap is passed: memory stays under the cap.
 */
export async function* readLines(stream: AsyncIterable<Buffer | string>, opts: LineOptions = {}): AsyncGenerator<string> {
  const max = opts.maxBytes ?? MAX_LINE_BYTES
  let parts: Buffer[] = []
  let size = 0
  let n = 0
  /** the rest of an over-long line is being skipped (truncate) */
  let skipping = false
  const take = (tail?: Buffer): string => {
    if (tail) parts.push(tail)
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts)
    parts = []
    size = 0
    const end = buf.length && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length
    return buf.toString('utf8', 0, end)
  }
  for await (const c of stream) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : c
    let from = 0
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, from)) {
      const piece = chunk.subarray(from, i)
      from = i + 1
      if (skipping) {
        // the end of a line already cut and counted
        skipping = false
        continue
      }
      n++
      if (size + piece.length > max) {
        if (!opts.truncate) throw new LineTooLongError(opts.source ?? 'stdin', n, max)
        yield take(piece.subarray(0, max - size))
        continue
      }
      yield take(piece)
    }
    if (skipping || from === chunk.length) continue
    const rest = chunk.subarray(from)
    if (size + rest.length > max) {
      if (!opts.truncate) throw new LineTooLongError(opts.source ?? 'stdin', n + 1, max)
      n++
      yield take(rest.subarray(0, max - size))
      skipping = true
      continue
    }
    // copied: the chunk's buffer may be a slice of a larger pooled one
    parts.push(Buffer.from(rest))
    size += rest.length
  }
  if (size && !skipping) yield take()
}

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
  let n = 0
  let sinceEnd = 0
  let ended = true
  let sawAny = false
  for await (const line of readLines(stream, { source })) {
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
