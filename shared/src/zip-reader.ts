/**
 * Read zip archives from the central directory (zip64 included): list members with their raw
 * name bytes, mode, mtime and kind; read or stream a member, checking its CRC-32 and size.
 */
import { createHash } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { isUtf8 } from './walk.js'
import { EXTRA, MAX16, MAX32, METHOD, SIG, S_IFDIR, S_IFLNK, S_IFMT, extraFields, fromDosDateTime } from './zip-format.js'

export interface ZipEntry {
  /** the name as stored (raw bytes) */
  nameBytes: Buffer
  /** the name as UTF-8 text (lossy when not UTF-8) */
  name: string
  /** base64 of the name bytes, only when they are not UTF-8 */
  path_b64?: string
  kind: 'file' | 'dir' | 'symlink'
  /** permission bits (e.g. 0o644) */
  mode: number
  /** Unix seconds: the extended timestamp when present, else the DOS time read as UTC */
  mtime: number
  method: number
  flags: number
  crc32: number
  compressedSize: number
  size: number
  localOffset: number
}

export class ZipFormatError extends Error {
  code = 'EZIPFORMAT'
}

const big = (b: Buffer, off: number) => Number(b.readBigUInt64LE(off))

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len)
  let off = 0
  while (off < len) {
    const { bytesRead } = await fh.read(buf, off, len - off, pos + off)
    if (bytesRead === 0) throw new ZipFormatError(`unexpected end of file at ${pos + off}`)
    off += bytesRead
  }
  return buf
}

/** Locate the central directory: {count, size, offset}, following the zip64 locator when present. */
async function findDirectory(fh: FileHandle, fileSize: number): Promise<{ count: number; size: number; offset: number }> {
  const tailLen = Math.min(fileSize, 22 + MAX16)
  const tail = await readAt(fh, fileSize - tailLen, tailLen)
  let at = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG.eocd && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      at = i
      break
    }
  }
  if (at < 0) throw new ZipFormatError('not a zip file (no end of central directory record)')
  let count = tail.readUInt16LE(at + 10)
  let size = tail.readUInt32LE(at + 12)
  let offset = tail.readUInt32LE(at + 16)
  if ((count === MAX16 || size === MAX32 || offset === MAX32) && at >= 20 && tail.readUInt32LE(at - 20) === SIG.zip64Locator) {
    const z = await readAt(fh, big(tail, at - 12), 56)
    if (z.readUInt32LE(0) !== SIG.zip64Eocd) throw new ZipFormatError('bad zip64 end of central directory record')
    count = big(z, 32)
    size = big(z, 40)
    offset = big(z, 48)
  }
  return { count, size, offset }
}

function parseEntry(cd: Buffer, off: number): { entry: ZipEntry; next: number } {
  if (cd.readUInt32LE(off) !== SIG.central) throw new ZipFormatError(`bad central directory header at ${off}`)
  const nameLen = cd.readUInt16LE(off + 28)
  const extraLen = cd.readUInt16LE(off + 30)
  const commentLen = cd.readUInt16LE(off + 32)
  const nameBytes = Buffer.from(cd.subarray(off + 46, off + 46 + nameLen))
  const extra = cd.subarray(off + 46 + nameLen, off + 46 + nameLen + extraLen)
  const attr = cd.readUInt32LE(off + 38) >>> 16
  const e: ZipEntry = {
    nameBytes,
    name: nameBytes.toString('utf8'),
    kind: (attr & S_IFMT) === S_IFLNK ? 'symlink' : (attr & S_IFMT) === S_IFDIR || nameBytes[nameLen - 1] === 0x2f ? 'dir' : 'file',
    mode: attr & 0o7777,
    mtime: fromDosDateTime(cd.readUInt16LE(off + 14), cd.readUInt16LE(off + 12)),
    method: cd.readUInt16LE(off + 10),
    flags: cd.readUInt16LE(off + 8),
    crc32: cd.readUInt32LE(off + 16),
    compressedSize: cd.readUInt32LE(off + 20),
    size: cd.readUInt32LE(off + 24),
    localOffset: cd.readUInt32LE(off + 42),
  }
  if (!isUtf8(nameBytes)) e.path_b64 = nameBytes.toString('base64')
  for (const [id, data] of extraFields(extra)) {
    if (id === EXTRA.timestamp && data.length >= 5 && data[0] & 1) e.mtime = data.readUInt32LE(1)
    if (id === EXTRA.zip64) {
      let p = 0
      for (const k of ['size', 'compressedSize', 'localOffset'] as const) {
        if (e[k] === MAX32 && p + 8 <= data.length) {
          e[k] = big(data, p)
          p += 8
        }
      }
    }
  }
  return { entry: e, next: off + 46 + nameLen + extraLen + commentLen }
}

/** An open archive. `close()` when done. */
export class ZipReader {
  private constructor(private fh: FileHandle, readonly entries: ZipEntry[], readonly size: number) {}

  static async open(file: string | Buffer): Promise<ZipReader> {
    const fh = await fsp.open(file, 'r')
    try {
      const { size } = await fh.stat()
      const dir = await findDirectory(fh, size)
      const cd = await readAt(fh, dir.offset, dir.size)
      const entries: ZipEntry[] = []
      for (let off = 0, i = 0; i < dir.count; i++) {
        const { entry, next } = parseEntry(cd, off)
        entries.push(entry)
        off = next
      }
      return new ZipReader(fh, entries, size)
    } catch (err) {
      await fh.close()
      throw err
    }
  }

  /** Where a member's data starts (after its local header). */
  async dataOffset(e: ZipEntry): Promise<number> {
    const h = await readAt(this.fh, e.localOffset, 30)
    if (h.readUInt32LE(0) !== SIG.local) throw new ZipFormatError(`${e.name}: bad local header`)
    return e.localOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28)
  }

  /** The member's raw (possibly compressed) bytes, in chunks. */
  async *raw(e: ZipEntry, chunkSize = 1 << 20): AsyncGenerator<Buffer> {
    const start = await this.dataOffset(e)
    for (let done = 0; done < e.compressedSize; ) {
      const n = Math.min(chunkSize, e.compressedSize - done)
      yield await readAt(this.fh, start + done, n)
      done += n
    }
  }

  /**
   * The member's content in chunks; throws at the end when the CRC-32 or size is wrong, and as
   * soon as the output exceeds the declared size (a decompression bomb stops early).
   */
  async *chunks(e: ZipEntry): AsyncGenerator<Buffer> {
    if (e.method !== METHOD.store && e.method !== METHOD.deflate) throw new ZipFormatError(`${e.name}: unsupported method ${e.method}`)
    const src = Readable.from(this.raw(e))
    const out = e.method === METHOD.store ? src : src.pipe(zlib.createInflateRaw())
    if (out !== src) src.on('error', (err) => out.destroy(err))
    let crc = 0
    let n = 0
    for await (const chunk of out as AsyncIterable<Buffer>) {
      n += chunk.length
      if (n > e.size) {
        out.destroy()
        throw new ZipFormatError(`${e.name}: more data than its declared size ${e.size}`)
      }
      crc = zlib.crc32(chunk, crc)
      yield chunk
    }
    if (n !== e.size) throw new ZipFormatError(`${e.name}: ${n} bytes, declared ${e.size}`)
    if (crc >>> 0 !== e.crc32 >>> 0) throw new ZipFormatError(`${e.name}: CRC-32 mismatch`)
  }

  /** The whole member content (checked). */
  async read(e: ZipEntry): Promise<Buffer> {
    const parts: Buffer[] = []
    for await (const c of this.chunks(e)) parts.push(c)
    return Buffer.concat(parts)
  }

  /** Check a member (CRC-32, size) and return the sha256 of its content. */
  async hash(e: ZipEntry): Promise<{ sha256: string; bytes: number }> {
    const h = createHash('sha256')
    let bytes = 0
    for await (const c of this.chunks(e)) {
      h.update(c)
      bytes += c.length
    }
    return { sha256: h.digest('hex'), bytes }
  }

  /** A symlink member's target bytes. */
  async symlinkTarget(e: ZipEntry): Promise<Buffer> {
    return this.read(e)
  }

  async close(): Promise<void> {
    await this.fh.close()
  }
}
