/**
 * A lean, deterministic zip writer: whole small files as buffers, native zlib deflate and crc32,
 * big files streamed in chunks with a data descriptor, zip64 when anything passes 4 GiB.
 * The caller decides order and attributes; the same calls give byte-identical output.
 */
import zlib from 'node:zlib'
import { isUtf8 } from './walk.js'
import {
  FLAG, MAX32, METHOD, centralHeader, dataDescriptor, dosDateTime, endRecords, fixedMode,
  localHeader, timestampExtra, zip64Extra, type HeaderFields,
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

  /** Add a directory entry (the name must end with `/`). */
  async addDir(meta: EntryMeta): Promise<void> {
    await this.addRecord(meta, fixedMode('dir'), METHOD.store, 0, 0, Buffer.alloc(0))
  }

  /** Add a symlink: mode 0120777, the target as its data. */
  async addSymlink(meta: EntryMeta, target: Buffer): Promise<void> {
    await this.addRecord(meta, fixedMode('symlink'), METHOD.store, zlib.crc32(target), target.length, target)
  }

  private async addRecord(meta: EntryMeta, mode: number, method: number, crc: number, size: number, body: Buffer): Promise<void> {
    const h = this.fields(meta, method, 0)
    Object.assign(h, { crc32: crc, compressedSize: body.length, size })
    const localOffset = this.offset
    await this.emit(localHeader(h))
    await this.emit(body)
    this.central.push({ ...h, externalAttr: this.attr(mode), localOffset, zip64: false })
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

  private centralRecord(c: Central): Buffer {
    const big = c.zip64 || c.size >= MAX32 || c.compressedSize >= MAX32
    const far = c.localOffset >= MAX32
    const values = [...(big ? [c.size, c.compressedSize] : []), ...(far ? [c.localOffset] : [])]
    return centralHeader({
      ...c,
      versionNeeded: big || far ? 45 : c.versionNeeded,
      size: big ? MAX32 : c.size,
      compressedSize: big ? MAX32 : c.compressedSize,
      localOffset: far ? MAX32 : c.localOffset,
      extra: values.length ? Buffer.concat([zip64Extra(values), c.extra]) : c.extra,
    })
  }

  /** Write the central directory and end records; returns the archive size and entry count. */
  async finish(): Promise<{ bytes: number; entries: number }> {
    const cdOffset = this.offset
    for (const c of this.central) await this.emit(this.centralRecord(c))
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

