/**
 * Read zip archives synchronously: from a whole archive held in memory, or by positioned reads
 * of an open file. Made for unpacking many small members: a member is one read, one native
 * inflate and one native CRC-32, with no thread-pool round trip (which dominated a restore of
 * thousands of small files, above all on a busy machine). The same checks as ZipReader: the
 * declared size (inflate stops one byte past it: a decompression bomb stops early) and the CRC-32.
 * Members larger than `maxMemberBytes` are left to ZipReader's streaming `chunks()`.
 */
import fs from 'node:fs'
import zlib from 'node:zlib'
import { ZipFormatError, checkDirectory, dataStart, findDirectorySync, parseDirectory, type ZipEntry } from './zip-directory.js'
import { METHOD } from './zip-format.js'

/** Members up to this size (stored and expanded) are read whole by default. */
export const SYNC_MEMBER_BYTES = 16 * 2 ** 20

/** Bytes past a local header's fixed part read along with it (its name and extra field, usually). */
const LOCAL_SLACK = 512

export class ZipSync {
  private constructor(
    private readonly read: (pos: number, len: number) => Buffer,
    private readonly fd: number | null,
    readonly entries: ZipEntry[],
    readonly size: number,
  ) {}

  /** An archive read whole into `buf` (e.g. to hash and unpack it from one read). */
  static fromBuffer(buf: Buffer): ZipSync {
    const read = (pos: number, len: number) => {
      if (pos < 0 || pos + len > buf.length) throw new ZipFormatError(`unexpected end of file at ${Math.min(pos + len, buf.length)}`)
      return buf.subarray(pos, pos + len)
    }
    return new ZipSync(read, null, ZipSync.directory(read, buf.length), buf.length)
  }

  /** An archive read by positioned reads of `file`. `close()` when done. */
  static open(file: string | Buffer): ZipSync {
    const fd = fs.openSync(file, 'r')
    try {
      const size = fs.fstatSync(fd).size
      const read = (pos: number, len: number) => readFully(fd, pos, len)
      return new ZipSync(read, fd, ZipSync.directory(read, size), size)
    } catch (err) {
      fs.closeSync(fd)
      throw err
    }
  }

  private static directory(read: (pos: number, len: number) => Buffer, size: number): ZipEntry[] {
    try {
      const dir = findDirectorySync(read, size)
      checkDirectory(dir, size)
      return parseDirectory(read(dir.offset, dir.size), dir)
    } catch (err) {
      if (err instanceof RangeError) throw new ZipFormatError(`damaged central directory: ${err.message}`)
      throw err
    }
  }

  /** The member is small enough to be read whole by `read()`. */
  fits(e: ZipEntry, maxMemberBytes = SYNC_MEMBER_BYTES): boolean {
    return e.size <= maxMemberBytes && e.compressedSize <= maxMemberBytes
  }

  /** The member's raw (possibly compressed) bytes, with its local header checked; one read. */
  raw(e: ZipEntry): Buffer {
    const head = Math.min(30 + LOCAL_SLACK, this.size - e.localOffset)
    const first = this.read(e.localOffset, Math.max(0, Math.min(this.size - e.localOffset, head + e.compressedSize)))
    const start = dataStart(e, first) - e.localOffset
    if (start + e.compressedSize <= first.length) return first.subarray(start, start + e.compressedSize)
    return this.read(e.localOffset + start, e.compressedSize)
  }

  /** The whole member content, its size and CRC-32 checked. Throws ZipFormatError. */
  content(e: ZipEntry): Buffer {
    if (e.method !== METHOD.store && e.method !== METHOD.deflate) throw new ZipFormatError(`${e.name}: unsupported method ${e.method}`)
    const raw = this.raw(e)
    let out: Buffer
    if (e.method === METHOD.store) out = raw
    else {
      try {
        // one byte past the declared size is enough to know it lies
        out = zlib.inflateRawSync(raw, { maxOutputLength: e.size + 1 })
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ZipFormatError(`${e.name}: more data than its declared size ${e.size}`)
        throw new ZipFormatError(`${e.name}: ${(err as Error).message}`)
      }
    }
    if (out.length > e.size) throw new ZipFormatError(`${e.name}: more data than its declared size ${e.size}`)
    if (out.length !== e.size) throw new ZipFormatError(`${e.name}: ${out.length} bytes, declared ${e.size}`)
    if (zlib.crc32(out) >>> 0 !== e.crc32 >>> 0) throw new ZipFormatError(`${e.name}: CRC-32 mismatch`)
    return out
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd)
  }
}

/** `len` bytes at `pos` of `fd`, or a ZipFormatError at the end of the file. */
export function readFully(fd: number, pos: number, len: number): Buffer {
  const buf = Buffer.allocUnsafe(len)
  for (let off = 0; off < len; ) {
    const n = fs.readSync(fd, buf, off, len - off, pos + off)
    if (n === 0) throw new ZipFormatError(`unexpected end of file at ${pos + off}`)
    off += n
  }
  return buf
}
