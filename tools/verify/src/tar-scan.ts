/**
 * A tar checked as its bytes stream past, in pieces of any size: every member read by the shared
 * tar reader (@clara/shared/tar-reader, the one clara-restore unpacks with), its content hashed
 * (sha256, filled in when its hasher is done), and what restore would refuse noted (the shared
 * member checks of @clara/shared/member-check). Nothing of a piece is kept once `feed` returns,
 * except a header being assembled. Names and link targets are kept as their exact bytes.
 */
import { readableName } from '@clara/shared/names'
import { TarFormatError, TarParser, type TarHeader } from '@clara/shared/tar-reader'
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

const KIND: Partial<Record<TarHeader['type'], TarMember['kind']>> = { file: 'file', 'contiguous-file': 'file', directory: 'dir', symlink: 'symlink' }

export class TarScanner {
  readonly members: TarMember[] = []
  /** every member's header as read (type, mode, link names): for the member checks restore makes */
  readonly headers: TarHeader[] = []
  /** why the tar cannot be read (the scan stops there) */
  error: string | null = null
  private inline = new InlineHasher()
  private hasher: PieceHasher = this.inline
  private parser = new TarParser((h) => this.onEntry(h))

  get ended(): boolean {
    return this.parser.ended
  }

  /** The next piece of the tar; member contents are hashed by `hasher` (default: here, at once). */
  feed(b: Buffer, hasher: PieceHasher = this.inline): void {
    if (this.error) return
    this.hasher = hasher
    this.guard(() => this.parser.push(b))
  }

  /** The stream is over: was it cut inside an entry? */
  end(): void {
    if (!this.error) this.guard(() => this.parser.end())
  }

  private guard(f: () => void): void {
    try {
      f()
    } catch (err) {
      if (!(err instanceof TarFormatError)) throw err
      this.error = err.message
    }
  }

  private onEntry(h: TarHeader) {
    const slash = h.name.length > 0 && h.name[h.name.length - 1] === 0x2f
    const nameBytes = slash ? h.name.subarray(0, h.name.length - 1) : h.name
    const kind = KIND[h.type] ?? 'other'
    const m: TarMember = { name: readableName(nameBytes), nameBytes, kind, size: h.size }
    this.headers.push(h)
    if (kind === 'symlink') {
      m.targetBytes = h.linkname ?? Buffer.alloc(0)
      m.target = readableName(m.targetBytes)
    }
    const hasher = this.hasher
    const id = kind === 'file' ? hasher.open((hex) => (m.sha256 = hex)) : 0
    const members = this.members
    return {
      write: (chunk: Buffer, start: number, end: number) => {
        if (id) hasher.update(id, chunk, start, end)
      },
      end: () => {
        members.push(m)
        if (id) hasher.close(id)
      },
    }
  }
}
