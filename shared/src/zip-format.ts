/**
 * The zip file format (PKWARE APPNOTE 6.3): signatures, DOS times, extra fields and the
 * fixed-layout headers shared by zip-writer and zip-reader. No I/O here.
 */

export const SIG = {
  local: 0x04034b50,
  central: 0x02014b50,
  descriptor: 0x08074b50,
  eocd: 0x06054b50,
  zip64Eocd: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const

export const METHOD = { store: 0, deflate: 8 } as const
export const FLAG = { descriptor: 0x0008, utf8: 0x0800 } as const
export const EXTRA = { zip64: 0x0001, timestamp: 0x5455 } as const
/** A 32-bit field holding this value means "see the zip64 extra field". */
export const MAX32 = 0xffffffff
export const MAX16 = 0xffff
/** Made by: Unix (3), spec version 6.3, so unzip honours the Unix modes in the external attributes. */
export const MADE_BY = (3 << 8) | 63

export const S_IFMT = 0o170000
export const S_IFREG = 0o100000
export const S_IFDIR = 0o040000
export const S_IFLNK = 0o120000

/** The modes every archive uses: only the exec bit of a file survives (deterministic attributes). */
export function fixedMode(kind: 'file' | 'dir' | 'symlink', sourceMode = 0o644): number {
  if (kind === 'dir') return S_IFDIR | 0o755
  if (kind === 'symlink') return S_IFLNK | 0o777
  return S_IFREG | (sourceMode & 0o111 ? 0o755 : 0o644)
}

/** DOS date and time, from UTC (so the bytes do not depend on the writer's time zone), clamped to 1980–2107. */
export function dosDateTime(unixSeconds: number): { date: number; time: number } {
  const d = new Date(unixSeconds * 1000)
  let y = d.getUTCFullYear()
  if (y < 1980) return { date: (1 << 5) | 1, time: 0 }
  if (y > 2107) y = 2107
  const date = ((y - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate()
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1)
  return { date, time }
}

/** Inverse of dosDateTime (UTC), for archives without an extended timestamp. */
export function fromDosDateTime(date: number, time: number): number {
  const y = 1980 + (date >> 9)
  const ms = Date.UTC(y, ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2)
  return Math.floor(ms / 1000)
}

/** Info-ZIP extended timestamp (0x5455) with the exact Unix mtime in seconds. */
export function timestampExtra(unixSeconds: number): Buffer {
  const b = Buffer.allocUnsafe(9) // every byte is written below
  b.writeUInt16LE(EXTRA.timestamp, 0)
  b.writeUInt16LE(5, 2)
  b.writeUInt8(1, 4) // flags: mtime present
  b.writeUInt32LE(Math.min(Math.max(Math.floor(unixSeconds), 0), MAX32), 5)
  return b
}

/** A zip64 extended information extra field holding the given 64-bit values in order. */
export function zip64Extra(values: number[]): Buffer {
  const b = Buffer.alloc(4 + 8 * values.length)
  b.writeUInt16LE(EXTRA.zip64, 0)
  b.writeUInt16LE(8 * values.length, 2)
  values.forEach((v, i) => b.writeBigUInt64LE(BigInt(v), 4 + 8 * i))
  return b
}

/** Walk an extra-field block: yields [id, data]. */
export function* extraFields(extra: Buffer): Generator<[number, Buffer]> {
  let off = 0
  while (off + 4 <= extra.length) {
    const id = extra.readUInt16LE(off)
    const len = extra.readUInt16LE(off + 2)
    yield [id, extra.subarray(off + 4, off + 4 + len)]
    off += 4 + len
  }
}

/** Fields of a local or central header record. */
export interface HeaderFields {
  versionNeeded: number
  flags: number
  method: number
  dos: { date: number; time: number }
  crc32: number
  compressedSize: number
  size: number
  name: Buffer
  extra: Buffer
}

/** Bytes of a local header record with this name and extra field. */
export function localHeaderSize(h: Pick<HeaderFields, 'name' | 'extra'>): number {
  return 30 + h.name.length + h.extra.length
}

/** Write a local header record into `buf` at `off` (the caller makes room: localHeaderSize); returns its size. */
export function writeLocalHeader(buf: Buffer, off: number, h: HeaderFields): number {
  buf.writeUInt32LE(SIG.local, off)
  buf.writeUInt16LE(h.versionNeeded, off + 4)
  buf.writeUInt16LE(h.flags, off + 6)
  buf.writeUInt16LE(h.method, off + 8)
  buf.writeUInt16LE(h.dos.time, off + 10)
  buf.writeUInt16LE(h.dos.date, off + 12)
  buf.writeUInt32LE(h.crc32 >>> 0, off + 14)
  buf.writeUInt32LE(h.compressedSize, off + 18)
  buf.writeUInt32LE(h.size, off + 22)
  buf.writeUInt16LE(h.name.length, off + 26)
  buf.writeUInt16LE(h.extra.length, off + 28)
  h.name.copy(buf, off + 30)
  h.extra.copy(buf, off + 30 + h.name.length)
  return localHeaderSize(h)
}

export function localHeader(h: HeaderFields): Buffer {
  const b = Buffer.allocUnsafe(localHeaderSize(h))
  writeLocalHeader(b, 0, h)
  return b
}

export type CentralFields = HeaderFields & { externalAttr: number; localOffset: number }

/** Bytes of a central directory record with this name and extra field. */
export function centralHeaderSize(h: Pick<HeaderFields, 'name' | 'extra'>): number {
  return 46 + h.name.length + h.extra.length
}

/** Write a central directory record into `buf` at `off` (the caller makes room: centralHeaderSize); returns its size. */
export function writeCentralHeader(buf: Buffer, off: number, h: CentralFields): number {
  buf.writeUInt32LE(SIG.central, off)
  buf.writeUInt16LE(MADE_BY, off + 4)
  buf.writeUInt16LE(h.versionNeeded, off + 6)
  buf.writeUInt16LE(h.flags, off + 8)
  buf.writeUInt16LE(h.method, off + 10)
  buf.writeUInt16LE(h.dos.time, off + 12)
  buf.writeUInt16LE(h.dos.date, off + 14)
  buf.writeUInt32LE(h.crc32 >>> 0, off + 16)
  buf.writeUInt32LE(h.compressedSize, off + 20)
  buf.writeUInt32LE(h.size, off + 24)
  buf.writeUInt16LE(h.name.length, off + 28)
  buf.writeUInt16LE(h.extra.length, off + 30)
  buf.fill(0, off + 32, off + 38) // comment length, disk number start, internal attributes
  buf.writeUInt32LE(h.externalAttr >>> 0, off + 38)
  buf.writeUInt32LE(h.localOffset, off + 42)
  h.name.copy(buf, off + 46)
  h.extra.copy(buf, off + 46 + h.name.length)
  return centralHeaderSize(h)
}

export function centralHeader(h: CentralFields): Buffer {
  const b = Buffer.allocUnsafe(centralHeaderSize(h))
  writeCentralHeader(b, 0, h)
  return b
}

/** Data descriptor (after streamed members): 8-byte sizes when the member is zip64. */
export function dataDescriptor(crc: number, compressedSize: number, size: number, zip64: boolean): Buffer {
  const b = Buffer.alloc(zip64 ? 24 : 16)
  b.writeUInt32LE(SIG.descriptor, 0)
  b.writeUInt32LE(crc >>> 0, 4)
  if (zip64) {
    b.writeBigUInt64LE(BigInt(compressedSize), 8)
    b.writeBigUInt64LE(BigInt(size), 16)
  } else {
    b.writeUInt32LE(compressedSize, 8)
    b.writeUInt32LE(size, 12)
  }
  return b
}

/** The end records: zip64 end record + locator when any field overflows, then the classic EOCD. */
export function endRecords(count: number, cdSize: number, cdOffset: number): Buffer {
  const parts: Buffer[] = []
  const need64 = count >= MAX16 || cdSize >= MAX32 || cdOffset >= MAX32
  if (need64) {
    const z = Buffer.alloc(56)
    z.writeUInt32LE(SIG.zip64Eocd, 0)
    z.writeBigUInt64LE(44n, 4)
    z.writeUInt16LE(MADE_BY, 12)
    z.writeUInt16LE(45, 14)
    z.writeBigUInt64LE(BigInt(count), 24)
    z.writeBigUInt64LE(BigInt(count), 32)
    z.writeBigUInt64LE(BigInt(cdSize), 40)
    z.writeBigUInt64LE(BigInt(cdOffset), 48)
    const loc = Buffer.alloc(20)
    loc.writeUInt32LE(SIG.zip64Locator, 0)
    loc.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8)
    loc.writeUInt32LE(1, 16)
    parts.push(z, loc)
  }
  const e = Buffer.alloc(22)
  e.writeUInt32LE(SIG.eocd, 0)
  e.writeUInt16LE(Math.min(count, MAX16), 8)
  e.writeUInt16LE(Math.min(count, MAX16), 10)
  e.writeUInt32LE(Math.min(cdSize, MAX32), 12)
  e.writeUInt32LE(Math.min(cdOffset, MAX32), 16)
  parts.push(e)
  return Buffer.concat(parts)
}
