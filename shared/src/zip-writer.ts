/**
 * A lean, deterministic zip writer: whole small files as buffers, native zlib deflate and crc32,
 * big files streamed in chunks with a data descriptor, zip64 when anything passes 4 GiB.
 * The caller decides order and attributes; the same calls give byte-identical output.
 */
import zlib from 'node:zlib'
import { isUtf8 } from './walk.js'
import {
  FLAG, MAX32, METHOD, centralHeader, centralHeaderSize, dataDescriptor, dosDateTime, endRecords, fixedMode,
  localHeader, localHeaderSize, timestampExtra, writeCentralHeader, writeLocalHeader, zip64Extra,
  type CentralFields, type HeaderFields,
} from './zip-format.js'

/** Where the archive bytes go (an AtomicFile, or a hashing sink for a dry run). */
export interface ZipSink {
  /** consume `buf` before resolving: the writer reuses it afterwards */
  write(buf: Uint8Array): Promise<void>
}

/** Extensions whose content is already compressed: stored, not deflated. */
export const STORED_EXTENSIONS = ['mp3', 'wav', 'ogg', 'm4a', 'jpg', 'jpeg', 'png', 'gif', 'webp', 'zip', 'gz', 'pdf']
const STORED_RE = new RegExp(`\\.(${STORED_EXTENSIONS.join('|')})$`, 'i')

/** True when a member with this name should be deflated (not an already-compressed type). */
export function compressible(name: string): boolean {
  return !STORED_RE.test(name)
}

export interface EntryMeta {
  /** archive path as raw bytes; directories end with `/` */
  name: Buffer
  /** Unix seconds */
  mtime: number
  /** source mode; only the exec bit is used */
  mode?: number
}

export interface ZipWriterOptions {
  /** deflate level 1–9 (0 stores everything) */
  level?: number
  /** coalesce output into writes of about this many bytes */
  bufferSize?: number
}

// Streamed members that may reach 4 GiB (deflate can expand slightly) get zip64 headers up front.
const ZIP64_STREAM_THRESHOLD = 0xf0000000

const EMPTY = Buffer.alloc(0)

interface Central extends HeaderFields {
  externalAttr: number
  localOffset: number
  zip64: boolean
}

export class ZipWriter {
  /** bytes emitted so far (the offset of the next record) */
  offset = 0
  readonly central: Central[] = []
  private out: Buffer
  private used = 0
  private level: number
  private bufferSize: number

  constructor(private sink: ZipSink, opts: ZipWriterOptions = {}) {
    this.level = opts.level ?? 6
    this.bufferSize = opts.bufferSize ?? 1 << 20
    this.out = Buffer.allocUnsafe(this.bufferSize)
  }

  /** Add a regular file from a whole buffer; deflated when `compress` and it actually shrinks. */
  async addFile(meta: EntryMeta, data: Buffer, compress = compressible(meta.name.toString('latin1'))): Promise<void> {
    let method: number = METHOD.store
    let body = data
    if (compress && this.level > 0 && data.length > 0) {
      const d = zlib.deflateRawSync(data, { level: this.level })
      if (d.length < data.length) {
        method = METHOD.deflate
        body = d
      }
    }
    await this.addRecord(meta, fixedMode('file', meta.mode), method, zlib.crc32(data), data.length, body)
  }

  /**
   * Add a regular file of `size` bytes that `read(into)` reads. When its header and bytes fit in
   * the output block, `into` is their place there: the file is read straight into the block, its
   * CRC-32 taken there and, when deflate shrinks it, the deflated bytes put over it, so its bytes
   * are never copied. Otherwise `into` is undefined and `read` returns the bytes from anywhere.
   * `read` must return exactly `size` bytes (a view of `into` when given): it may also look at
   * them (a checksum), as they are only overwritten after it returns.
   */
  async addFileFrom(meta: EntryMeta, size: number, read: (into: Buffer | undefined) => Buffer, compress = compressible(meta.name.toString('latin1'))): Promise<void> {
    const h = this.fields(meta, METHOD.store, 0)
    const head = localHeaderSize(h)
    if (head + size > this.out.length) return this.addFile(meta, read(undefined), compress)
    if (head + size > this.out.length - this.used) await this.drain()
    const at = this.used + head
    const into = this.out.subarray(at, at + size)
    const data = read(into)
    if (data.length !== size || data.buffer !== into.buffer || data.byteOffset !== into.byteOffset) {
      return this.addFile(meta, data, compress) // not read in place after all
    }
    h.crc32 = zlib.crc32(data)
    h.size = h.compressedSize = size
    if (compress && this.level > 0 && size > 0) {
      const d = zlib.deflateRawSync(data, { level: this.level })
      if (d.length < size) {
        d.copy(this.out, at)
        h.method = METHOD.deflate
        h.versionNeeded = 20
        h.compressedSize = d.length
      }
    }
    writeLocalHeader(this.out, this.used, h)
    this.place(h, fixedMode('file', meta.mode), head + h.compressedSize)
  }

  /** Add a directory entry (the name must end with `/`). */
  async addDir(meta: EntryMeta): Promise<void> {
    await this.addRecord(meta, fixedMode('dir'), METHOD.store, 0, 0, EMPTY)
  }

  /** Add a symlink: mode 0120777, the target as its data. */
  async addSymlink(meta: EntryMeta, target: Buffer): Promise<void> {
    await this.addRecord(meta, fixedMode('symlink'), METHOD.store, zlib.crc32(target), target.length, target)
  }

  /** A whole record: header and body into the output block (one copy of the body), or the body written on its own when it is bigger. */
  private async addRecord(meta: EntryMeta, mode: number, method: number, crc: number, size: number, body: Buffer): Promise<void> {
    const h = this.fields(meta, method, 0)
    h.crc32 = crc
    h.compressedSize = body.length
    h.size = size
    const head = localHeaderSize(h)
    if (head + body.length > this.out.length - this.used) await this.drain()
    if (head + body.length > this.out.length) {
      const localOffset = this.offset
      await this.emit(localHeader(h))
      await this.emit(body)
      this.central.push(Object.assign(h, { externalAttr: this.attr(mode), localOffset, zip64: false }))
      return
    }
    writeLocalHeader(this.out, this.used, h)
    body.copy(this.out, this.used + head)
    this.place(h, mode, head + body.length)
  }

  /** The record of `n` bytes just written at the end of the output block: counted, and listed for the central directory. */
  private place(h: HeaderFields, mode: number, n: number): void {
    this.central.push(Object.assign(h, { externalAttr: this.attr(mode), localOffset: this.offset, zip64: false }))
    this.used += n
    this.offset += n
  }

  private fields(meta: EntryMeta, method: number, flags: number): HeaderFields {
    const utf8 = isUtf8(meta.name) ? FLAG.utf8 : 0
    return {
      versionNeeded: method === METHOD.deflate || meta.name[meta.name.length - 1] === 0x2f ? 20 : 10,
      flags: flags | utf8,
      method,
      dos: dosDateTime(meta.mtime),
      crc32: 0,
      compressedSize: 0,
      size: 0,
      name: meta.name,
      extra: timestampExtra(meta.mtime),
    }
  }

  private attr(mode: number): number {
    return ((mode << 16) | ((mode & 0o170000) === 0o040000 ? 0x10 : 0)) >>> 0
  }

  /**
   * Add a big file from chunks (each consumed before the next is pulled), with a data descriptor.
   * Deflated chunks are sync-flushed raw deflate blocks, so they concatenate into one stream.
   */
  async addChunks(meta: EntryMeta, size: number, chunks: Iterable<Buffer>, compress = compressible(meta.name.toString('latin1'))): Promise<void> {
    const deflate = compress && this.level > 0
    const zip64 = size >= ZIP64_STREAM_THRESHOLD
    const h = this.fields(meta, deflate ? METHOD.deflate : METHOD.store, FLAG.descriptor)
    if (zip64) {
      h.versionNeeded = 45
      h.compressedSize = h.size = MAX32
      h.extra = Buffer.concat([zip64Extra([0, 0]), h.extra])
    }
    const localOffset = this.offset
    await this.emit(localHeader(h))
    let crc = 0
    let read = 0
    let written = 0
    const flush = { level: this.level, finishFlush: zlib.constants.Z_SYNC_FLUSH }
    for (const chunk of chunks) {
      crc = zlib.crc32(chunk, crc)
      read += chunk.length
      const out = deflate ? zlib.deflateRawSync(chunk, flush) : chunk
      written += out.length
      await this.emit(out)
    }
    if (deflate) {
      const last = zlib.deflateRawSync(Buffer.alloc(0), { level: this.level }) // final empty block
      written += last.length
      await this.emit(last)
    }
    await this.emit(dataDescriptor(crc, written, read, zip64))
    Object.assign(h, { crc32: crc, compressedSize: written, size: read })
    this.central.push({ ...h, extra: timestampExtra(meta.mtime), externalAttr: this.attr(fixedMode('file', meta.mode)), localOffset, zip64 })
  }

  /** The central record's fields: zip64 sizes and offset moved into the extra field where they overflow. */
  private centralFields(c: Central): CentralFields {
    const big = c.zip64 || c.size >= MAX32 || c.compressedSize >= MAX32
    const far = c.localOffset >= MAX32
    if (!big && !far) return c
    const values = [...(big ? [c.size, c.compressedSize] : []), ...(far ? [c.localOffset] : [])]
    return {
      ...c,
      versionNeeded: 45,
      size: big ? MAX32 : c.size,
      compressedSize: big ? MAX32 : c.compressedSize,
      localOffset: far ? MAX32 : c.localOffset,
      extra: Buffer.concat([zip64Extra(values), c.extra]),
    }
  }

  /** Write the central directory and end records; returns the archive size and entry count. */
  async finish(): Promise<{ bytes: number; entries: number }> {
    const cdOffset = this.offset
    for (const c of this.central) {
      const f = this.centralFields(c)
      const n = centralHeaderSize(f)
      if (n > this.out.length - this.used) await this.drain()
      if (n > this.out.length) await this.emit(centralHeader(f))
      else {
        writeCentralHeader(this.out, this.used, f)
        this.used += n
        this.offset += n
      }
    }
    await this.emit(endRecords(this.central.length, this.offset - cdOffset, cdOffset))
    await this.drain()
    return { bytes: this.offset, entries: this.central.length }
  }

  /** Buffers are copied (or written before this resolves), so callers may reuse them at once. */
  private async emit(buf: Buffer): Promise<void> {
    this.offset += buf.length
    if (buf.length > this.out.length - this.used) await this.drain()
    if (buf.length >= this.out.length) {
      await this.sink.write(buf)
      return
    }
    buf.copy(this.out, this.used)
    this.used += buf.length
  }

  private async drain(): Promise<void> {
    if (!this.used) return
    const n = this.used
    this.used = 0
    await this.sink.write(this.out.subarray(0, n))
  }
}
