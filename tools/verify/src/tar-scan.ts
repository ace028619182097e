/**
 * A tar read as its bytes stream past, in pieces of any size: each 512-byte header (ustar with
 * its prefix, pax `x` records for path/linkpath/size, GNU `L`/`K` long names, base-256 sizes,
 * header checksums) and the sha256 of each member's content (filled in when its hasher is done).
 * Nothing of a piece is kept once `feed` returns, except a header being assembled. Names and link
 * targets are kept as their exact bytes (a pax `path` or `linkpath` that is not UTF-8 included).
 */
import { readableName } from '@clara/shared/names'
import { InlineHasher, type PieceHasher } from './hash-pool.js'

export interface TarMember {
  /** readable (readableName of `nameBytes`) */
  name: string
  /** the name as stored, without a trailing `/` */
  nameBytes: Buffer
  kind: 'file' | 'dir' | 'symlink' | 'other'
  size: number
  sha256?: string
  /** a symlink's target, readable */
  target?: string
  /** a symlink's target as stored */
  targetBytes?: Buffer
}

const BLOCK = 512
/** a pax or GNU long-name header's body is kept whole: a damaged size must not make it huge */
const MAX_META = 1 << 20
const SLASH = Buffer.from('/')
const KIND: Record<string, TarMember['kind']> = { '0': 'file', '\0': 'file', '7': 'file', '5': 'dir', '2': 'symlink' }

/** A NUL-terminated field, as its bytes. */
function field(b: Buffer, off: number, len: number): Buffer {
  const end = b.indexOf(0, off)
  return Buffer.from(b.subarray(off, end < 0 || end > off + len ? off + len : end))
}

/** A numeric field: octal text, or base-256 when the high bit of its first byte is set. */
function num(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    if (b[off] !== 0x80) return NaN // negative or beyond what a member can hold
    let v = 0
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i]
    return v
  }
  const s = field(b, off, len).toString('latin1').trim()
  return s === '' ? 0 : /^[0-7]+$/.test(s) ? parseInt(s, 8) : NaN
}

function checksumOk(h: Buffer): boolean {
  let sum = 8 * 0x20
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += h[i]
  return sum === num(h, 148, 8)
}

/** pax extended header records: `<len> <key>=<value>\n`, each value as its raw bytes. */
function paxRecords(b: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (let off = 0; off < b.length; ) {
    const sp = b.indexOf(0x20, off)
    const len = sp < 0 ? NaN : Number(b.toString('latin1', off, sp))
    if (!(len > 0) || off + len > b.length) break
    const rec = b.subarray(sp + 1, off + len - 1)
    const eq = rec.indexOf(0x3d)
    if (eq > 0) out.set(rec.toString('utf8', 0, eq), Buffer.from(rec.subarray(eq + 1)))
    off += len
  }
  return out
}

type Meta = 'pax' | 'global' | 'gnu-name' | 'gnu-link'
const META: Record<string, Meta> = { x: 'pax', g: 'global', L: 'gnu-name', K: 'gnu-link' }

export class TarScanner {
  readonly members: TarMember[] = []
  /** why the tar cannot be read (the scan stops there) */
  error: string | null = null
  /** an all-zero block was seen: the end of the archive */
  ended = false
  private header = Buffer.alloc(BLOCK)
  private have = 0
  /** content bytes of the current entry still to come, then its padding */
  private left = 0
  private pad = 0
  private cur: TarMember | null = null
  private hash = 0
  private inline = new InlineHasher()
  private meta: { kind: Meta; parts: Buffer[] } | null = null
  private pax = new Map<string, Buffer>()
  private longName: Buffer | null = null
  private longLink: Buffer | null = null

  /** The next piece of the tar; member contents are hashed by `hasher` (default: here, at once). */
  feed(b: Buffer, hasher: PieceHasher = this.inline): void {
    let off = 0
    while (off < b.length && !this.error && !this.ended) {
      if (this.left > 0) {
        const take = Math.min(this.left, b.length - off)
        const piece = b.subarray(off, off + take)
        if (this.meta) this.meta.parts.push(Buffer.from(piece))
        else if (this.hash) hasher.update(this.hash, b, off, off + take)
        this.left -= take
        off += take
        if (this.left === 0) this.entryDone(hasher)
      } else if (this.pad > 0) {
        const take = Math.min(this.pad, b.length - off)
        this.pad -= take
        off += take
      } else {
        const take = Math.min(BLOCK - this.have, b.length - off)
        b.copy(this.header, this.have, off, off + take)
        this.have += take
        off += take
        if (this.have === BLOCK) {
          this.have = 0
          this.onHeader(hasher)
        }
      }
    }
  }

  /** The stream is over: was it cut inside an entry? */
  end(): void {
    if (this.error) return
    if (this.left > 0 || this.have > 0 || this.meta) this.error = `unexpected end of data${this.cur ? ` inside ${this.cur.name}` : ''}`
    else if (this.pad > 0) this.error = 'unexpected end of data (padding)'
  }

  private onHeader(hasher: PieceHasher): void {
    const h = this.header
    if (h.every((x) => x === 0)) {
      this.ended = true
      return
    }
    if (!checksumOk(h)) {
      this.error = `invalid tar header (bad checksum) after ${this.members.length} member(s)`
      return
    }
    const size = num(h, 124, 12)
    const type = String.fromCharCode(h[156])
    if (!Number.isSafeInteger(size)) {
      this.error = `invalid size field in a header after ${this.members.length} member(s)`
      return
    }
    const meta = META[type]
    if (meta && size > MAX_META) {
      this.error = `a ${meta} header of ${size} bytes after ${this.members.length} member(s)`
      return
    }
    if (meta) {
      this.meta = { kind: meta, parts: [] }
      this.startData(size, hasher)
      return
    }
    let name = field(h, 0, 100)
    const magic = h.toString('latin1', 257, 263)
    if (magic === 'ustar\0') {
      const prefix = field(h, 345, 155)
      if (prefix.length) name = Buffer.concat([prefix, SLASH, name])
    }
    let target = field(h, 157, 100)
    let len = size
    const pax = this.pax
    if (this.longName !== null) name = this.longName
    if (this.longLink !== null) target = this.longLink
    if (pax.has('path')) name = pax.get('path')!
    if (pax.has('linkpath')) target = pax.get('linkpath')!
    if (pax.has('size')) len = Number(pax.get('size')!.toString('latin1'))
    this.pax = new Map()
    this.longName = this.longLink = null
    if (!Number.isSafeInteger(len) || len < 0) {
      this.error = `${readableName(name)}: invalid pax size`
      return
    }
    let kind = KIND[type] ?? 'other'
    const slash = name.length > 0 && name[name.length - 1] === 0x2f
    if (kind === 'file' && type !== '7' && slash) kind = 'dir'
    const nameBytes = slash ? name.subarray(0, name.length - 1) : name
    const m: TarMember = { name: readableName(nameBytes), nameBytes, kind, size: len }
    if (kind === 'symlink') {
      m.target = readableName(target)
      m.targetBytes = target
    }
    this.cur = m
    this.hash = kind === 'file' ? hasher.open((hex) => (m.sha256 = hex)) : 0
    this.startData(len, hasher)
  }

  private startData(len: number, hasher: PieceHasher): void {
    this.left = len
    this.pad = (BLOCK - (len % BLOCK)) % BLOCK
    if (len === 0) this.entryDone(hasher)
  }

  private entryDone(hasher: PieceHasher): void {
    if (this.meta) {
      const { kind, parts } = this.meta
      this.meta = null
      const body = Buffer.concat(parts)
      if (kind === 'pax') this.pax = paxRecords(body)
      else if (kind === 'gnu-name') this.longName = field(body, 0, body.length)
      else if (kind === 'gnu-link') this.longLink = field(body, 0, body.length)
      return
    }
    const m = this.cur!
    this.members.push(m)
    if (this.hash) hasher.close(this.hash)
    this.cur = null
    this.hash = 0
  }
}
