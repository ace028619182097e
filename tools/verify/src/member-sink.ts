/**
 * One zip member's data, pushed in pieces as the archive streams past: CRC-32, size and
 * (optionally) sha256 of the content. Small deflated members inflate synchronously in one call;
 * big ones go through an inflate stream (zlib's thread pool, alongside the file hash).
 */
import { createHash, type Hash } from 'node:crypto'
import { once } from 'node:events'
import zlib from 'node:zlib'
import type { ZipEntry } from '@clara/shared/zip-reader'

export interface MemberResult {
  crc: number
  size: number
  sha256?: string
  error?: string
}

/** Deflated members up to this many bytes (inflated) are buffered and inflated in one synchronous call; bigger ones stream. */
const SYNC_LIMIT = 8 << 20

class Digest {
  crc = 0
  size = 0
  hash: Hash | null
  overflow = false
  constructor(private limit: number, withSha: boolean) {
    this.hash = withSha ? createHash('sha256') : null
  }
  update(b: Buffer): void {
    this.size += b.length
    if (this.size > this.limit) {
      this.overflow = true
      return
    }
    this.crc = zlib.crc32(b, this.crc)
    this.hash?.update(b)
  }
  result(error?: string): MemberResult {
    const r: MemberResult = { crc: this.crc >>> 0, size: this.size }
    if (this.hash) r.sha256 = this.hash.digest('hex')
    if (this.overflow) r.error = `more data than its declared size ${this.limit}`
    else if (error) r.error = error
    return r
  }
}

export class MemberSink {
  private d: Digest
  private parts: Buffer[] = []
  private stream: zlib.InflateRaw | null = null
  private streamDone: Promise<string | undefined> | null = null

  constructor(private e: ZipEntry, withSha: boolean) {
    this.d = new Digest(e.size, withSha)
    if (e.method === 8 && e.size > SYNC_LIMIT) this.startStream()
  }

  get method(): number {
    return this.e.method
  }

  /**
   * A piece of the member's compressed data. `last` marks the final piece; pieces that are not
   * consumed at once are copied, because the caller reuses its read buffer.
   */
  push(piece: Buffer, last: boolean): void | Promise<unknown> {
    if (this.e.method === 0) return this.d.update(piece)
    if (this.stream) {
      // backpressure: a big member never queues more than the stream's buffer
      if (!this.stream.write(Buffer.from(piece))) return Promise.race([once(this.stream, 'drain'), this.streamDone])
      return
    }
    this.parts.push(last && this.parts.length === 0 ? piece : Buffer.from(piece))
  }

  private startStream(): void {
    const s = zlib.createInflateRaw({ chunkSize: 1 << 20 })
    this.stream = s
    s.on('data', (c: Buffer) => this.d.update(c))
    this.streamDone = new Promise((resolve) => {
      s.on('end', () => resolve(undefined))
      s.on('error', (err) => resolve(`inflate: ${err.message}`))
    })
  }

  /** All data pushed: the member's digest (or why it could not be read). */
  async finish(): Promise<MemberResult> {
    if (this.e.method === 0) return this.d.result()
    if (this.e.method !== 8) return this.d.result(`unsupported compression method ${this.e.method}`)
    if (this.stream) {
      this.stream.end()
      return this.d.result(await this.streamDone!)
    }
    const input = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts)
    this.parts = []
    try {
      this.d.update(zlib.inflateRawSync(input, { maxOutputLength: Math.max(this.e.size, 1) + 1 }))
      return this.d.result()
    } catch (err) {
      const e = err as NodeJS.ErrnoException
      return e.code === 'ERR_BUFFER_TOO_LARGE' || e.name === 'RangeError' ? this.d.result(`more data than its declared size ${this.e.size}`) : this.d.result(`inflate: ${e.message}`)
    }
  }
}
