/**
 * The central directory of a zip (zip64 included): where it is, and each member's raw name bytes,
 * kind, mode, mtime, sizes and local header offset.
 */
import type { FileHandle } from 'node:fs/promises'
import { isUtf8 } from './walk.js'
import { EXTRA, MAX16, MAX32, SIG, S_IFDIR, S_IFLNK, S_IFMT, extraFields, fromDosDateTime } from './zip-format.js'

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

export async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
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
export async function findDirectory(fh: FileHandle, fileSize: number): Promise<{ count: number; size: number; offset: number }> {
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

export function parseEntry(cd: Buffer, off: number): { entry: ZipEntry; next: number } {
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

