/**
 * Writing many small members fast: synchronous calls per member (no thread-pool round trip per
 * open/chmod/utimes/close, which dominated a restore of thousands of small files) and a memo of
 * the folders already made. Bodies still arrive asynchronously, chunk by chunk.
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

/** Write a file from its chunks with exact mode and mtime (seconds). Replaces whatever is there. */
export async function writeMember(at: Buffer, chunks: AsyncIterable<Buffer>, mode: number, mtime: number): Promise<void> {
  let fd: number
  try {
    fd = fs.openSync(at, FLAGS, mode)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EISDIR' && (err as NodeJS.ErrnoException).code !== 'ELOOP') throw err
    fs.rmSync(at, { recursive: true, force: true })
    fd = fs.openSync(at, FLAGS, mode)
  }
  try {
    for await (const c of chunks) for (let off = 0; off < c.length; ) off += fs.writeSync(fd, c, off)
    fs.fchmodSync(fd, mode)
    fs.futimesSync(fd, mtime, mtime)
  } finally {
    fs.closeSync(fd)
  }
}

/** A symlink (replacing whatever is there) with its own mtime. */
export function writeLink(at: Buffer, target: Buffer | string, mtime: number): void {
  fs.rmSync(at, { force: true })
  fs.symlinkSync(target, at)
  fs.lutimesSync(at, mtime, mtime)
}
