/**
 * Tar headers, byte for byte as clara-shard archives have always had them (the layout tar-stream
 * wrote up to FORMAT clara-shard/1, so archives of unchanged members keep their bytes and their
 * fingerprints stay valid): a ustar header when the name is ASCII and fits name (100) + prefix
 * (155) and the link target is UTF-8 and fits 100 bytes; otherwise a pax header (`path=`, `linkpath=`;
 * a name or target that is not UTF-8 as its raw bytes) named `PaxHeader` followed by a ustar header named `PaxHeader`. Octal fields are zero-padded and end
 * with a space; uid/gid 0, empty owner names, device numbers 0.
 */

import { isUtf8 } from 'node:buffer'

export const BLOCK = 512
/** two zero blocks end an archive (no padding to a 10 KiB record) */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK)

export type EntryType = 'file' | 'directory' | 'symlink'

export interface TarHeader {
  name: string
  /** the name's exact bytes when they are not valid UTF-8 (`name` is then a lossy rendering) */
  nameBytes?: Buffer
  /** permission bits (0644 / 0755) */
  mode: number
  /** whole seconds since the epoch */
  mtime: number
  type: EntryType
  /** content bytes (0 for directories and symlinks) */
  size: number
  /** a symlink's target: text, or its exact bytes */
  linkname?: string | Buffer
}

const TYPEFLAG: Record<EntryType | 'pax', number> = { file: 0x30, symlink: 0x32, directory: 0x35, pax: 0x78 }
const MAGIC = Buffer.from('ustar\u000000', 'latin1')

/** Bytes of content padded to whole blocks. */
export function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK
}

/** `n` octal digits and a space; all sevens when the value does not fit. */
function octal(value: number, n: number): string {
  const s = value.toString(8)
  return s.length > n ? '7'.repeat(n) + ' ' : s.padStart(n, '0') + ' '
}

function putSize(buf: Buffer, off: number, size: number): void {
  if (size.toString(8).length <= 11) {
    buf.write(octal(size, 11), off, 'latin1')
    return
  }
  buf[off] = 0x80 // base-256 for sizes from 8 GiB on
  let n = size
  for (let i = 11; i > 0; i--) {
    buf[off + i] = n % 256
    n = Math.floor(n / 256)
  }
}

/** Split an ASCII name into ustar name + prefix at the first slashes; null when it cannot fit. */
function splitName(name: string): { name: string; prefix: string } | null {
  let prefix = ''
  let rest = name
  while (rest.length > 100) {
    const i = rest.indexOf('/')
    if (i < 0) return null
    prefix = prefix ? `${prefix}/${rest.slice(0, i)}` : rest.slice(0, i)
    rest = rest.slice(i + 1)
  }
  return prefix.length > 155 ? null : { name: rest, prefix }
}

function ustar(out: Buffer, off: number, name: string, prefix: string, h: TarHeader, typeflag: number, size: number, linkname: Buffer): void {
  const b = out.subarray(off, off + BLOCK)
  b.fill(0)
  b.write(name, 0, 'utf8')
  b.write(octal(h.mode & 0o7777, 6), 100, 'latin1')
  b.write(octal(0, 6), 108, 'latin1')
  b.write(octal(0, 6), 116, 'latin1')
  putSize(b, 124, size)
  b.write(octal(h.mtime | 0, 11), 136, 'latin1')
  b[156] = typeflag
  linkname.copy(b, 157, 0, 100)
  MAGIC.copy(b, 257)
  b.write(octal(0, 6), 329, 'latin1')
  b.write(octal(0, 6), 337, 'latin1')
  if (prefix) b.write(prefix, 345, 'utf8')
  let sum = 8 * 32
  for (let i = 0; i < 148; i++) sum += b[i]
  for (let i = 156; i < BLOCK; i++) sum += b[i]
  b.write(octal(sum, 6), 148, 'latin1')
}

/** A pax record: `<length> key=value\n`, where the length counts its own digits; the value as raw bytes. */
function paxRecord(key: string, value: string | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')])
  const len = body.length
  let digits = String(len).length
  if (String(len + digits).length > digits) digits++
  return Buffer.concat([Buffer.from(String(len + digits)), body])
}

/** The header bytes of one entry (512, or more with a pax header). */
export function encodeHeader(h: TarHeader): Buffer {
  const size = h.type === 'file' ? h.size : 0
  const link = Buffer.from(h.linkname ?? '')
  const ascii = !h.nameBytes && Buffer.byteLength(h.name) === h.name.length
  const split = ascii ? splitName(h.name) : null
  // a target that is not UTF-8 goes in a pax `linkpath` as its raw bytes, like a name
  if (split && link.length <= 100 && isUtf8(link)) {
    const out = Buffer.allocUnsafe(BLOCK)
    ustar(out, 0, split.name, split.prefix, h, TYPEFLAG[h.type], size, link)
    return out
  }
  // a name that is not UTF-8 goes in as its raw bytes: GNU tar and our own readers give them back exactly
  const records = [paxRecord('path', h.nameBytes ?? h.name)]
  if (link.length) records.push(paxRecord('linkpath', link))
  const pax = Buffer.concat(records)
  const out = Buffer.allocUnsafe(BLOCK + padded(pax.length) + BLOCK)
  const paxLink = Buffer.from(link.length ? 'PaxHeader' : '')
  ustar(out, 0, 'PaxHeader', '', h, TYPEFLAG.pax, pax.length, paxLink)
  pax.copy(out, BLOCK)
  out.fill(0, BLOCK + pax.length, BLOCK + padded(pax.length))
  ustar(out, BLOCK + padded(pax.length), 'PaxHeader', '', h, TYPEFLAG[h.type], size, paxLink)
  return out
}
