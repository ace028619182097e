/**
 * A synchronous, push-fed tar reader (ustar, GNU long names, pax `path`/`linkpath`/`size`, base-256
 * numbers): bytes go in as they are read, each header comes out with a sink for its body. No
 * stream, promise or event per member, which is what a shard of ten thousand small files costs.
 * Header checksums are checked; zero blocks are skipped; a body is handed out as slices of the
 * buffers pushed in (no copy: a sink must use them before `push` returns, so the caller may reuse them).
 */

export interface TarHeader {
  /** raw name bytes (pax and GNU long names as given) */
  name: Buffer
  /** tar-stream's names: file, link, symlink, directory, fifo, character-device, … */
  type: string
  size: number
  mode: number
  /** Unix seconds */
  mtime: number
  linkname: Buffer | null
}

/** Where a member's body goes: null drops it. */
export interface TarSink {
  write(chunk: Buffer): void
  end(): void
}

export class TarFormatError extends Error {
  code = 'ETARFORMAT'
}

/** Long names and pax records larger than this are refused (a header is not a place for data). */
const MAX_META = 1 << 20

const TYPES: Record<number, string> = {
  0: 'file', 1: 'link', 2: 'symlink', 3: 'character-device', 4: 'block-device', 5: 'directory', 6: 'fifo', 7: 'contiguous-file',
  72: 'pax-header', 55: 'pax-global-header', 27: 'gnu-long-link-path', 28: 'gnu-long-path', 30: 'gnu-long-path',
}

const USTAR = Buffer.from('ustar\0', 'latin1')
const GNU = Buffer.from('ustar ', 'latin1')

/** The bytes of a NUL-terminated field. */
function field(b: Buffer, off: number, len: number): Buffer {
  const end = b.indexOf(0, off)
  return b.subarray(off, end < 0 || end > off + len ? off + len : end)
}

function base256(b: Buffer): number | null {
  const positive = b[0] === 0x80
  if (!positive && b[0] !== 0xff) return null
  let sum = 0
  for (let i = 1; i < b.length; i++) sum = sum * 256 + (positive ? b[i] : 0xff - b[i])
  return positive ? sum : -sum
}

function num(b: Buffer, off: number, len: number): number | null {
  const v = b.subarray(off, off + len)
  if (v[0] & 0x80) return base256(v)
  const s = v.toString('latin1').replace(/\0.*$/s, '').trim()
  return s ? parseInt(s, 8) : 0
}

function checksum(b: Buffer): number {
  let sum = 8 * 32
  for (let i = 0; i < 148; i++) sum += b[i]
  for (let i = 156; i < 512; i++) sum += b[i]
  return sum
}

function pax(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (let off = 0; off < buf.length; ) {
    const sp = buf.indexOf(0x20, off)
    const len = sp < 0 ? NaN : parseInt(buf.toString('latin1', off, sp), 10)
    if (!len || off + len > buf.length) break
    const rec = buf.subarray(sp + 1, off + len - 1) // without the trailing newline
    const eq = rec.indexOf(0x3d)
    if (eq < 0) break
    out.set(rec.toString('utf8', 0, eq), Buffer.from(rec.subarray(eq + 1)))
    off += len
  }
  return out
}

type State = 'header' | 'meta' | 'body' | 'pad'

export class TarParser {
  private state: State = 'header'
  private header = Buffer.alloc(512)
  private have = 0
  private missing = 0
  private pad = 0
  private sink: TarSink | null = null
  private meta: Buffer[] = []
  private metaType = ''
  private longName: Buffer | null = null
  private longLink: Buffer | null = null
  private paxLocal: Map<string, Buffer> | null = null
  private paxGlobal: Map<string, Buffer> | null = null

  /** `onEntry` is called with every member's header (after its long names); it may throw to stop. */
  constructor(private onEntry: (h: TarHeader) => TarSink | null) {}

  push(chunk: Buffer): void {
    let off = 0
    while (off < chunk.length) {
      const left = chunk.length - off
      if (this.state === 'header') {
        if (this.have === 0 && left >= 512) {
          off += 512
          this.onHeader(chunk.subarray(off - 512, off))
        } else {
          const n = Math.min(512 - this.have, left)
          chunk.copy(this.header, this.have, off, off + n)
          this.have += n
          off += n
          if (this.have === 512) {
            this.have = 0
            this.onHeader(this.header)
          }
        }
      } else if (this.state === 'pad') {
        const n = Math.min(this.pad, left)
        this.pad -= n
        off += n
        if (!this.pad) this.state = 'header'
      } else {
        const n = Math.min(this.missing, left)
        const piece = chunk.subarray(off, off + n)
        this.missing -= n
        off += n
        if (this.state === 'meta') this.meta.push(Buffer.from(piece)) // the caller may reuse its buffer
        else this.sink?.write(piece)
        if (!this.missing) this.endMember()
      }
    }
  }

  /** The input ended: it must not end inside a member. */
  end(): void {
    if (this.state !== 'header' || this.have) throw new TarFormatError('unexpected end of data: the tar is truncated')
  }

  private onHeader(b: Buffer): void {
    const sum = checksum(b)
    if (sum === 8 * 32 && b.every((x) => x === 0)) return // a zero block: padding at the end
    if (sum !== num(b, 148, 8)) throw new TarFormatError('invalid tar header (bad checksum): the tar is corrupted, or needs to be gunzipped')
    let flag = b[156] === 0 ? 0 : b[156] - 48
    let name = field(b, 0, 100)
    if (b.subarray(257, 263).equals(USTAR)) {
      if (b[345]) name = Buffer.concat([field(b, 345, 155), Buffer.from('/'), name])
    } else if (!b.subarray(257, 263).equals(GNU)) {
      throw new TarFormatError('invalid tar header: unknown format')
    }
    if (flag === 0 && name[name.length - 1] === 0x2f) flag = 5
    const type = TYPES[flag] ?? `type-${flag}`
    let size = num(b, 124, 12)
    if (size === null || !(size >= 0)) throw new TarFormatError('invalid tar header: bad size')
    if (type === 'pax-header' || type === 'pax-global-header' || type === 'gnu-long-path' || type === 'gnu-long-link-path') {
      if (size > MAX_META) throw new TarFormatError(`a ${type} of ${size} bytes (more than ${MAX_META})`)
      this.metaType = type
      this.meta = []
      return this.begin('meta', size)
    }
    let linkname: Buffer | null = b[157] === 0 ? null : Buffer.from(field(b, 157, 100))
    name = Buffer.from(name)
    if (this.longName) name = this.longName
    if (this.longLink) linkname = this.longLink
    const p = this.paxLocal // a global header alone names no member (as tar-stream reads it)
    if (p) {
      if (p.get('path')?.length) name = p.get('path')!
      if (p.get('linkpath')?.length) linkname = p.get('linkpath')!
      if (p.get('size')?.length) size = parseInt(p.get('size')!.toString('latin1'), 10)
      if (!(size >= 0)) throw new TarFormatError('invalid tar header: bad pax size')
    }
    this.longName = this.longLink = this.paxLocal = null
    const h: TarHeader = { name, type, size, mode: num(b, 100, 8) ?? 0, mtime: num(b, 136, 12) ?? 0, linkname }
    this.sink = this.onEntry(h)
    if (type === 'directory') this.sink = null // a folder's body (GNU dumpdir) is skipped
    this.begin('body', h.size)
  }

  private begin(state: 'meta' | 'body', size: number): void {
    this.missing = size
    this.pad = (512 - (size % 512)) % 512
    this.state = state
    if (!size) this.endMember()
  }

  private endMember(): void {
    if (this.state === 'meta') {
      const buf = Buffer.concat(this.meta)
      this.meta = []
      if (this.metaType === 'gnu-long-path') this.longName = Buffer.from(field(buf, 0, buf.length))
      else if (this.metaType === 'gnu-long-link-path') this.longLink = Buffer.from(field(buf, 0, buf.length))
      else if (this.metaType === 'pax-global-header') this.paxGlobal = pax(buf)
      else this.paxLocal = new Map([...(this.paxGlobal ?? []), ...pax(buf)])
    } else {
      const s = this.sink
      this.sink = null
      s?.end()
    }
    this.state = this.pad ? 'pad' : 'header'
  }
}
