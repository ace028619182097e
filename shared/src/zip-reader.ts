/**
 * Read zip archives from the central directory (zip64 included): list members with their raw
 * name bytes, mode, mtime and kind; read or stream a member, checking its CRC-32 and size.
 */
import { createHash } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { ZipFormatError, checkDirectory, dataStart, findDirectory, parseDirectory, readAt, type ZipEntry } from './zip-directory.js'
import { METHOD } from './zip-format.js'

export { ZipFormatError, type ZipEntry }

/** An open archive. `close()` when done. */
export class ZipReader {
  private constructor(private fh: FileHandle, readonly entries: ZipEntry[], readonly size: number) {}

  static async open(file: string | Buffer): Promise<ZipReader> {
    const fh = await fsp.open(file, 'r')
    try {
      const { size } = await fh.stat()
      const dir = await findDirectory(fh, size)
      checkDirectory(dir, size)
      const entries = parseDirectory(await readAt(fh, dir.offset, dir.size), dir)
      return new ZipReader(fh, entries, size)
    } catch (err) {
      await fh.close()
      if (err instanceof RangeError) throw new ZipFormatError(`damaged central directory: ${err.message}`)
      throw err
    }
  }

  /** Where a member's data starts (after its local header). */
  async dataOffset(e: ZipEntry): Promise<number> {
    return dataStart(e, await readAt(this.fh, e.localOffset, 30))
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
