/**
 * Atomic artifacts: write a temp file in the same directory, fsync, rename, fsync the directory. Under
 * `CLARA_FLUSH=grouped` (durability.ts), or for a writer that says `durable: false`, both fsyncs are left
 * to one flush of the whole file system later; the temp file is still written whole before the rename.
 */
import { createHash, randomBytes } from 'node:crypto'
import { promises as fsp, constants as FS } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { flushGrouped, fsyncDir } from './durability.js'
import { claimSpace, noSpaceError } from './space-fault.js'

export { fsyncDir } from './durability.js'

/** Temp names start with `.` and end with `.tmp`, so a reader can always tell them apart. */
export function tempNameFor(finalPath: string): string {
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp')
}

/** Temp paths of this process's AtomicFiles that are still open (sweepTemps keeps them). */
const inProgress = new Set<string>()

export interface WriteResult {
  path: string
  size_bytes: number
  sha256: string
}

/** Options for artifacts: permissions follow the backup's security rules. */
export interface AtomicOptions {
  mode?: number
  /** set the final file's mtime (e.g. the source's) */
  mtime?: Date
  /**
   * false: no fsync of the file or its folder (still a temp file renamed into place): for a writer
   * that flushes the whole file system once afterwards (sync-fs.ts) before it says it is done
   */
  durable?: boolean
  /** fsync even under CLARA_FLUSH=grouped: a document the durability of others rests on (manifest.json) */
  alwaysSync?: boolean
}

/**
 * A file being written atomically. Bytes written through it are hashed on the way
 * (no second read). `commit()` makes it appear under its final name; `abort()` removes it.
 */
export class AtomicFile {
  readonly tmp: string
  size = 0
  private hash = createHash('sha256')
  private fh: FileHandle | null = null
  private done = false

  private constructor(readonly path: string, private opts: AtomicOptions) {
    this.tmp = tempNameFor(path)
  }

  static async open(finalPath: string, opts: AtomicOptions = {}): Promise<AtomicFile> {
    const f = new AtomicFile(finalPath, opts)
    await fsp.mkdir(path.dirname(finalPath), { recursive: true })
    f.fh = await fsp.open(f.tmp, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL, opts.mode ?? 0o640)
    inProgress.add(path.resolve(f.tmp))
    return f
  }

  /**
   * Append bytes (sequential writes only). The write is started first and the bytes are hashed
   * while the thread pool copies them out (both only read `buf`), so the hash costs no wall time.
   * The caller keeps `buf` unchanged until the returned promise settles.
   */
  async write(buf: Uint8Array): Promise<void> {
    if (!this.fh) throw new Error(`${this.path}: write after close`)
    // an injected full disk (space-fault.ts) lets only part of the bytes through, then fails
    const room = claimSpace(buf.length)
    const first = room ? this.fh.write(buf, 0, room) : null
    this.hash.update(room < buf.length ? buf.subarray(0, room) : buf)
    let off = first ? (await first).bytesWritten : 0
    while (off < room) {
      const { bytesWritten } = await this.fh.write(buf, off, room - off)
      off += bytesWritten
    }
    if (room < buf.length) throw noSpaceError(this.tmp)
    this.size += buf.length
  }

  /** fsync, rename into place, fsync the directory (no fsyncs when grouped or not `durable`: every byte is written before the rename). */
  async commit(): Promise<WriteResult> {
    if (!this.fh) throw new Error(`${this.path}: commit after close`)
    const fh = this.fh
    const sync = this.opts.durable !== false && (this.opts.alwaysSync || !flushGrouped())
    try {
      if (sync) await fh.sync()
      if (this.opts.mtime) await fh.utimes(this.opts.mtime, this.opts.mtime)
    } finally {
      await fh.close()
      this.fh = null
    }
    await fsp.rename(this.tmp, this.path)
    inProgress.delete(path.resolve(this.tmp))
    this.done = true
    if (sync) await fsyncDir(path.dirname(this.path))
    return { path: this.path, size_bytes: this.size, sha256: this.hash.digest('hex') }
  }

  /** Remove the temp file; safe to call more than once or after commit. */
  async abort(): Promise<void> {
    if (this.done) return
    this.done = true
    if (this.fh) {
      await this.fh.close().catch(() => {})
      this.fh = null
    }
    await fsp.unlink(this.tmp).catch(() => {})
    inProgress.delete(path.resolve(this.tmp))
  }
}

/** Write a whole buffer or string atomically. */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, opts: AtomicOptions = {}): Promise<WriteResult> {
  const f = await AtomicFile.open(finalPath, opts)
  try {
    await f.write(typeof data === 'string' ? Buffer.from(data) : data)
    return await f.commit()
  } catch (err) {
    await f.abort()
    throw err
  }
}

/** Write a JSON document (2-space indent, trailing newline) atomically. */
export function writeJsonAtomic(finalPath: string, doc: unknown, opts: AtomicOptions = {}): Promise<WriteResult> {
  return writeFileAtomic(finalPath, JSON.stringify(doc, null, 2) + '\n', opts)
}

/**
 * Run `fill(file)` against a new atomic file; commit on success, remove the temp file on
 * any failure, so nothing partial ever stands under `finalPath`.
 */
export async function withAtomicFile<T>(finalPath: string, fill: (f: AtomicFile) => Promise<T>, opts: AtomicOptions = {}): Promise<{ result: T } & WriteResult> {
  const f = await AtomicFile.open(finalPath, opts)
  try {
    const result = await fill(f)
    const w = await f.commit()
    return { result, ...w }
  } catch (err) {
    await f.abort()
    throw err
  }
}

/** The pid of the writer that owns a temp name, when the name says so. */
export function tempOwner(name: string): number | undefined {
  const m = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)
  return m ? Number(m[1]) : undefined
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Remove leftover temp files (from killed writers) in a directory. A temp file whose writer
 * (the pid in its name) is still running is left alone: it is not leftover, it is in progress.
 * This process's own open AtomicFiles are kept too; its other temps (a dead process that had
 * the same pid, as happens in containers) are leftovers.
 */
export async function sweepTemps(dir: string): Promise<number> {
  let n = 0
  for (const name of await fsp.readdir(dir).catch(() => [] as string[])) {
    const owner = tempOwner(name)
    if (!isTempName(name) || inProgress.has(path.resolve(dir, name))) continue
    if (owner === undefined || owner === process.pid || !running(owner)) {
      await fsp.rm(path.join(dir, name), { force: true, recursive: true })
      n++
    }
  }
  return n
}
