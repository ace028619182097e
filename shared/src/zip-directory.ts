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

export interface Directory {
  count: number
  size: number
  offset: number
}

/** The end record in the last bytes of the file: the directory, or where the zip64 record lies. */
function endRecord(tail: Buffer): Directory & { zip64At: number | null } {
  let at = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG.eocd && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
      at = i
      break
    }
  }
  if (at < 0) throw new ZipFormatError('not a zip file (no end of central directory record)')
  const count = tail.readUInt16LE(at + 10)
  const size = tail.readUInt32LE(at + 12)
  const offset = tail.readUInt32LE(at + 16)
  const zip64 = (count === MAX16 || size === MAX32 || offset === MAX32) && at >= 20 && tail.readUInt32LE(at - 20) === SIG.zip64Locator
  return { count, size, offset, zip64At: zip64 ? big(tail, at - 12) : null }
}

function zip64Record(z: Buffer): Directory {
  if (z.readUInt32LE(0) !== SIG.zip64Eocd) throw new ZipFormatError('bad zip64 end of central directory record')
  return { count: big(z, 32), size: big(z, 40), offset: big(z, 48) }
}

const tailLength = (fileSize: number) => Math.min(fileSize, 22 + MAX16)

/** Locate the central directory: {count, size, offset}, following the zip64 locator when present. */
export async function findDirectory(fh: FileHandle, fileSize: number): Promise<Directory> {
  const { zip64At, ...dir } = endRecord(await readAt(fh, fileSize - tailLength(fileSize), tailLength(fileSize)))
  return zip64At === null ? dir : zip64Record(await readAt(fh, zip64At, 56))
}

/** The same, through a synchronous positioned read (a file descriptor, or a whole archive in memory). */
export function findDirectorySync(read: (pos: number, len: number) => Buffer, fileSize: number): Directory {
  const { zip64At, ...dir } = endRecord(read(fileSize - tailLength(fileSize), tailLength(fileSize)))
  return zip64At === null ? dir : zip64Record(read(zip64At, 56))
}

/** The directory must lie inside the file (checked before it is read). */
export function checkDirectory(dir: Directory, fileSize: number): void {
  if (dir.offset + dir.size > fileSize) throw new ZipFormatError(`central directory (${dir.size} bytes at ${dir.offset}) lies beyond the end of the file (${fileSize} bytes): truncated?`)
}

/** Every entry of a central directory read whole (`cd`), each checked to lie before the directory. */
export function parseDirectory(cd: Buffer, dir: Directory): ZipEntry[] {
  const entries: ZipEntry[] = []
  try {
    for (let off = 0, i = 0; i < dir.count; i++) {
      const { entry, next } = parseEntry(cd, off)
      if (next > cd.length || entry.localOffset + entry.compressedSize > dir.offset) throw new ZipFormatError(`${entry.name}: entry runs past its bounds`)
      entries.push(entry)
      off = next
    }
  } catch (err) {
    if (err instanceof RangeError) throw new ZipFormatError(`damaged central directory: ${err.message}`)
    throw err
  }
  return entries
}

/** Where a member's data starts, from its local header (30 bytes at its offset, or more). */
export function dataStart(e: ZipEntry, local: Buffer): number {
  if (local.length < 30 || local.readUInt32LE(0) !== SIG.local) throw new ZipFormatError(`${e.name}: bad local header`)
  return e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28)
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

