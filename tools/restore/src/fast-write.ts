/**
 * Writing many small members fast: synchronous calls per member (no thread-pool round trip per
 * open/chmod/utimes/close, which dominated a restore of thousands of small files) and a memo of
 * the folders already made. A small member is written from one buffer; a large one as its chunks arrive.
 */
import fs from 'node:fs'

/** Folders made so far (raw byte paths). */
export class DirMaker {
  private made = new Set<string>()

  ensure(dir: Buffer): void {
    const key = dir.toString('latin1')
    if (this.made.has(key)) return
    fs.mkdirSync(dir, { recursive: true })
    this.made.add(key)
  }

  parentOf(p: Buffer): void {
    const i = p.lastIndexOf(0x2f)
    if (i > 0) this.ensure(p.subarray(0, i))
  }
}

const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants
/** Never follow a link at the final component (a member must not write through one). */
const FLAGS = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW

/** Open `at` for writing, replacing a folder or link that is there (never writing through it). */
function openMember(at: Buffer, mode: number): number {
  try {
    return fs.openSync(at, FLAGS, mode)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EISDIR' && (err as NodeJS.ErrnoException).code !== 'ELOOP') throw err
    fs.rmSync(at, { recursive: true, force: true })
    return fs.openSync(at, FLAGS, mode)
  }
}

function writeAll(fd: number, c: Buffer): void {
  for (let off = 0; off < c.length; ) off += fs.writeSync(fd, c, off)
}

/** Exact mode (not the umask's) and mtime, then close. */
function finish(fd: number, mode: number, mtime: number): void {
  try {
    fs.fchmodSync(fd, mode)
    fs.futimesSync(fd, mtime, mtime)
  } finally {
    fs.closeSync(fd)
  }
}

/** Write a whole file at once with exact mode and mtime (seconds). Replaces whatever is there. */
export function writeMemberSync(at: Buffer, data: Buffer, mode: number, mtime: number): void {
  const fd = openMember(at, mode)
  try {
    writeAll(fd, data)
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
  finish(fd, mode, mtime)
}

/** Write a file from its chunks with exact mode and mtime (seconds). Replaces whatever is there. */
export async function writeMember(at: Buffer, chunks: AsyncIterable<Buffer>, mode: number, mtime: number): Promise<void> {
  const fd = openMember(at, mode)
  try {
    for await (const c of chunks) writeAll(fd, c)
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
  finish(fd, mode, mtime)
}

/** A file written piece by piece as its bytes arrive (synchronously), then given its mode and mtime. */
export class MemberFile {
  private fd: number
  constructor(at: Buffer, private mode: number, private mtime: number) {
    this.fd = openMember(at, mode)
  }

  write(c: Buffer): void {
    writeAll(this.fd, c)
  }

  close(): void {
    finish(this.fd, this.mode, this.mtime)
  }

  /** Close without finishing (the stage is discarded). */
  abort(): void {
    fs.closeSync(this.fd)
  }
}

/** A symlink (replacing whatever is there) with its own mtime. */
export function writeLink(at: Buffer, target: Buffer | string, mtime: number): void {
  fs.rmSync(at, { force: true })
  fs.symlinkSync(target, at)
  fs.lutimesSync(at, mtime, mtime)
}
