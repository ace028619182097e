/**
 * The one tar reader of the project (clara-restore unpacks with it, clara-verify checks with it):
 * synchronous and push-fed (ustar with its prefix, GNU long names, pax `path`/`linkpath`/`size`,
 * base-256 numbers). Bytes go in as they are read, in pieces of any size; each member's header
 * comes out with a sink for its body. No stream, promise or event per member, which is what a
 * shard of ten thousand small files costs. Header checksums are checked; the first zero block ends
 * the archive (what follows is padding). A body is handed out as spans of the buffers pushed in
 * (no copy: a sink must use them before `push` returns, so the caller may reuse its buffer).
 * Names and link targets are kept as their exact bytes.
 */

export type TarType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'contiguous-file' | `type-${string}`

export interface TarHeader {
  /** raw name bytes (pax and GNU long names as given; a folder's trailing `/` kept) */
  name: Buffer
  type: TarType
  size: number
  /** permission bits with setuid/setgid/sticky (07777) */
  mode: number
  /** Unix seconds */
  mtime: number
  /** a link's target (symlink) or the member it names (hard link), exact bytes */
  linkname: Buffer | null
}

/** Where a member's body goes (`chunk.subarray(start, end)`); null from onEntry drops it. */
export interface TarSink {
  write(chunk: Buffer, start: number, end: number): void
  end(): void
}

/** A tar member's kind in the words of member-check.ts (`dir`, `file`, `symlink`, `link`, or the tar type). */
export function memberType(type: TarType): string {
  return type === 'directory' ? 'dir' : type === 'contiguous-file' ? 'file' : type
}

export class TarFormatError extends Error {
  code = 'ETARFORMAT'
}

const BLOCK = 512
/** Long names and pax records larger than this are refused (a header is not a place for data). */
const MAX_META = 1 << 20

const TYPES: Record<string, TarType> = {
  '0': 'file', '\0': 'file', '1': 'link', '2': 'symlink', '3': 'character-device', '4': 'block-device', '5': 'directory', '6': 'fifo', '7': 'contiguous-file',
}
type Meta = 'pax' | 'global' | 'gnu-name' | 'gnu-link'
const META: Record<string, Meta> = { x: 'pax', g: 'global', L: 'gnu-name', K: 'gnu-link' }

/** The bytes of a NUL-terminated field (a copy: the block is reused). */
function field(b: Buffer, off: number, len: number): Buffer {
  const end = b.indexOf(0, off)
  return Buffer.from(b.subarray(off, end < 0 || end > off + len ? off + len : end))
}

/** A numeric field: octal text, or base-256 when the high bit of its first byte is set (negative: NaN). */
function num(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    if (b[off] !== 0x80) return NaN
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

export class TarParser {
  /** an all-zero block was seen: the archive is over (what follows is ignored) */
  ended = false
  /** members handed out so far */
  count = 0
  private header = Buffer.alloc(BLOCK)
  private have = 0
  private left = 0
  private pad = 0
  private sink: TarSink | null = null
  private meta: { kind: Meta; parts: Buffer[] } | null = null
  private pax = new Map<string, Buffer>()
  private global = new Map<string, Buffer>()
  private longName: Buffer | null = null
  private longLink: Buffer | null = null
  private inMember = false
  private dumpdir = false
  private current: Buffer | null = null

  /** `onEntry` is called with every member's header (after its long names); it may throw to stop. */
  constructor(private onEntry: (h: TarHeader) => TarSink | null) {}

  push(b: Buffer): void {
    let off = 0
    while (off < b.length && !this.ended) {
      if (this.left > 0) {
        const take = Math.min(this.left, b.length - off)
        if (this.meta) this.meta.parts.push(Buffer.from(b.subarray(off, off + take)))
        else if (!this.dumpdir) this.sink?.write(b, off, off + take)
        this.left -= take
        off += take
        if (this.left === 0) this.done()
      } else if (this.pad > 0) {
        const take = Math.min(this.pad, b.length - off)
        this.pad -= take
        off += take
      } else if (this.have === 0 && b.length - off >= BLOCK) {
        off += BLOCK
        this.onHeader(b.subarray(off - BLOCK, off))
      } else {
        const take = Math.min(BLOCK - this.have, b.length - off)
        b.copy(this.header, this.have, off, off + take)
        this.have += take
        off += take
        if (this.have === BLOCK) {
          this.have = 0
          this.onHeader(this.header)
        }
      }
    }
  }

  /** The input ended: it must not end inside a member. Throws TarFormatError. */
  end(): void {
    if (this.ended) return
    if (this.left > 0 || this.have > 0 || this.meta || this.inMember) throw new TarFormatError(`unexpected end of data ${this.inMember && this.current ? `inside ${this.current.toString('utf8')}` : `after ${this.count} member(s)`}: the tar is truncated`)
    if (this.pad > 0) throw new TarFormatError('unexpected end of data (padding): the tar is truncated')
  }

  private onHeader(h: Buffer): void {
    if (h.every((x) => x === 0)) {
      this.ended = true
      return
    }
    if (!checksumOk(h)) throw new TarFormatError(`invalid tar header (bad checksum) after ${this.count} member(s): the tar is corrupted, or needs to be gunzipped`)
    const size = num(h, 124, 12)
    if (!Number.isSafeInteger(size)) throw new TarFormatError(`invalid size field in a header after ${this.count} member(s)`)
    const flag = String.fromCharCode(h[156])
    const meta = META[flag]
    if (meta) {
      if (size > MAX_META) throw new TarFormatError(`a ${meta} header of ${size} bytes (more than ${MAX_META}) after ${this.count} member(s)`)
      this.meta = { kind: meta, parts: [] }
      return this.startData(size)
    }
    let name = field(h, 0, 100)
    if (h.toString('latin1', 257, 263) === 'ustar\0') {
      const prefix = field(h, 345, 155)
      if (prefix.length) name = Buffer.concat([prefix, Buffer.from('/'), name])
    }
    let linkname: Buffer | null = h[157] === 0 ? null : field(h, 157, 100)
    let len = size
    const pax = new Map([...this.global, ...this.pax])
    if (this.longName !== null) name = this.longName
    if (this.longLink !== null) linkname = this.longLink
    if (pax.get('path')?.length) name = pax.get('path')!
    if (pax.get('linkpath')?.length) linkname = pax.get('linkpath')!
    if (pax.get('size')?.length) len = Number(pax.get('size')!.toString('latin1'))
    this.pax = new Map()
    this.longName = this.longLink = null
    if (!Number.isSafeInteger(len) || len < 0) throw new TarFormatError(`invalid pax size after ${this.count} member(s)`)
    let type: TarType = TYPES[flag] ?? `type-${flag}`
    if (type === 'file' && flag !== '7' && name[name.length - 1] === 0x2f) type = 'directory'
    const mode = num(h, 100, 8)
    const mtime = num(h, 136, 12)
    const header: TarHeader = { name, type, size: len, mode: Number.isFinite(mode) ? mode & 0o7777 : 0o644, mtime: Number.isFinite(mtime) ? mtime : 0, linkname }
    this.count++
    this.inMember = true
    this.current = name
    this.sink = this.onEntry(header)
    this.dumpdir = type === 'directory' // a folder's body (GNU dumpdir) is skipped
    this.startData(len)
  }

  private startData(len: number): void {
    this.left = len
    this.pad = (BLOCK - (len % BLOCK)) % BLOCK
    if (len === 0) this.done()
  }

  private done(): void {
    if (this.meta) {
      const { kind, parts } = this.meta
      this.meta = null
      const body = Buffer.concat(parts)
      if (kind === 'pax') this.pax = paxRecords(body)
      else if (kind === 'global') this.global = paxRecords(body)
      else if (kind === 'gnu-name') this.longName = field(body, 0, body.length)
      else this.longLink = field(body, 0, body.length)
      return
    }
    const s = this.sink
    this.sink = null
    this.inMember = false
    s?.end()
  }
}
