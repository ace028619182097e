/**
 * Writing many small members fast: synchronous calls per member (no thread-pool round trip per
 * open/chmod/utimes/close, which dominated a restore of thousands of small files). Files are
 * opened by the stage's SafeTree (never through a link); a small member is written from one
 * buffer, a large one as its chunks arrive.
 */
import fs from 'node:fs'

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

/** Write a whole file at once into the open `fd`, with exact mode and mtime (seconds); closes it. */
export function writeMemberSync(fd: number, data: Buffer, mode: number, mtime: number): void {
  try {
    writeAll(fd, data)
  } catch (err) {
    fs.closeSync(fd)
    throw err
  }
  finish(fd, mode, mtime)
}

/** Write a file from its chunks into the open `fd`, with exact mode and mtime (seconds); closes it. */
export async function writeMember(fd: number, chunks: AsyncIterable<Buffer>, mode: number, mtime: number): Promise<void> {
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
  constructor(private fd: number, private mode: number, private mtime: number) {}

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
