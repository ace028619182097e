/**
 * Reading a walked tree entry's bytes safely, with the same odd-file rules in every archiver:
 * specials (socket, FIFO, device) are never opened, symlinks are recorded (never followed),
 * a vanished or unreadable file is an error, and a file whose size or mtime changes while it is
 * read is detected (`ECHANGED`) so the caller can retry, never archive silently wrong bytes.
 */
import fs from 'node:fs'
import type { TreeEntry } from './walk.js'

/** Injected I/O faults (tests): returns an error to throw instead of doing `op` on `abs`. */
export type FaultHook = (abs: string, op: 'open' | 'read') => NodeJS.ErrnoException | undefined

/**
 * Faults from the environment, for tests that run as root (root reads everything):
 * `CLARA_FAULT_INJECT='EACCES:<path-substring>[,EIO@read:<substring>…]'`. `CODE[@open|@read]`
 * fails that operation (default open) with errno CODE. Two codes change the file instead, to
 * exercise change detection: `GROW` appends a byte just before every read of a match, `GROW1`
 * only before the first one. `HANG` blocks the thread for good at that operation (without using the
 * CPU): a run stopped there is one whose interruption lands at a known point, whatever the machine's
 * speed (the tests that kill or signal a run in the middle of a domain).
 */
export function faultsFromEnv(env: NodeJS.ProcessEnv): FaultHook | undefined {
  const spec = env.CLARA_FAULT_INJECT
  if (!spec) return undefined
  const rules = spec.split(',').filter(Boolean).map((r) => {
    const i = r.indexOf(':')
    const [code, op] = r.slice(0, i).split('@')
    const grow = code === 'GROW' || code === 'GROW1'
    return { code, op: op ?? (grow ? 'read' : 'open'), sub: r.slice(i + 1), grow, left: code === 'GROW1' ? 1 : Infinity }
  })
  return (abs, op) => {
    const hit = rules.find((r) => r.op === op && r.left > 0 && abs.includes(r.sub))
    if (!hit) return undefined
    if (hit.code === 'HANG') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
    if (hit.grow) {
      hit.left--
      fs.appendFileSync(abs, 'x')
      return undefined
    }
    return Object.assign(new Error(`${hit.code}: injected fault, ${op} '${abs}'`), { code: hit.code, syscall: op, path: abs })
  }
}

/** What an archiver does with an entry. */
export type SourceAction = 'read' | 'dir' | 'symlink' | 'skip'

export function sourceAction(e: TreeEntry): SourceAction {
  if (e.kind === 'file') return 'read'
  if (e.kind === 'dir') return 'dir'
  if (e.kind === 'symlink') return 'symlink'
  return 'skip'
}

/** The warning text for a skipped special file. */
export function skipMessage(e: TreeEntry): string {
  return `skipped ${e.special ?? 'special file'} (not a regular file, directory or symlink)`
}

/** The file changed (size, mtime or type) while it was being read. */
export class SourceChangedError extends Error {
  code = 'ECHANGED'
  constructor(public rel: string, what: string) {
    super(`${rel}: changed while being read (${what})`)
    this.name = 'SourceChangedError'
  }
}

export interface ReadOptions {
  fault?: FaultHook
  /** read into this buffer when it is big enough (the result is a view of it: valid until it is reused) */
  into?: Buffer
}

// O_NONBLOCK: if a FIFO was swapped in after lstat, open() must not hang waiting for a writer.
// O_NOFOLLOW: if a symlink was swapped in, fail (ELOOP) instead of reading outside the tree.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK

function describe(e: TreeEntry, err: NodeJS.ErrnoException): NodeJS.ErrnoException {
  if (err instanceof SourceChangedError) return err
  if (err.code === 'ELOOP') return new SourceChangedError(e.rel, 'became a symlink')
  const why = err.code === 'ENOENT' ? 'vanished' : 'cannot be read'
  return Object.assign(new Error(`${e.rel}: ${why} (${err.code ?? err.message})`), { code: err.code ?? 'EIO' })
}

function checkStat(e: TreeEntry, st: fs.Stats, when: string): void {
  if (!st.isFile()) throw new SourceChangedError(e.rel, `no longer a regular file ${when}`)
  if (st.size !== e.size) throw new SourceChangedError(e.rel, `size ${e.size} → ${st.size} ${when}`)
  if (st.mtimeMs !== e.mtimeMs) throw new SourceChangedError(e.rel, `mtime changed ${when}`)
}

/** Open a regular file entry and check it is still what the walk saw. Returns the fd. */
export function openSourceSync(e: TreeEntry, opts: ReadOptions = {}): number {
  const fd = openSourceUnchecked(e, opts)
  try {
    checkStat(e, fs.fstatSync(fd), 'before reading')
  } catch (err) {
    fs.closeSync(fd)
    throw describe(e, err as NodeJS.ErrnoException)
  }
  return fd
}

/**
 * Open a regular file entry without looking at it first (one fstat less per file), for readers
 * that check it after reading (`finishSourceRead`, `sourceReadError`): whatever it became since the
 * walk (another size or mtime, a directory, a device swapped in) is refused then, so its bytes never
 * stand in an archive. O_NONBLOCK and O_NOFOLLOW keep the open itself from hanging or following a link.
 */
export function openSourceUnchecked(e: TreeEntry, opts: ReadOptions = {}): number {
  try {
    const injected = opts.fault?.(e.abs.toString('utf8'), 'open')
    if (injected) throw injected
    return fs.openSync(e.abs, OPEN_FLAGS)
  } catch (err) {
    throw describe(e, err as NodeJS.ErrnoException)
  }
}

function readFully(e: TreeEntry, fd: number, buf: Buffer, pos: number, opts: ReadOptions): number {
  const injected = opts.fault?.(e.abs.toString('utf8'), 'read')
  if (injected) throw injected
  let off = 0
  while (off < buf.length) {
    const n = fs.readSync(fd, buf, off, buf.length - off, pos + off)
    if (n === 0) break
    off += n
  }
  return off
}

const probeByte = Buffer.alloc(1)

/** Check after reading: exactly `size` bytes came, and size/mtime are unchanged (`probe`: and no byte follows, by a read). */
function finishRead(e: TreeEntry, fd: number, total: number, probe = true): void {
  if (total !== e.size) throw new SourceChangedError(e.rel, `read ${total} of ${e.size} bytes`)
  if (probe && fs.readSync(fd, probeByte, 0, 1, total) !== 0) throw new SourceChangedError(e.rel, 'grew while being read')
  checkStat(e, fs.fstatSync(fd), 'after reading')
}

/**
 * Read part of a file opened with `openSourceSync` or `openSourceUnchecked` straight into the
 * caller's buffer (e.g. an archive's output block): fills `buf` from file position `pos`, fewer
 * bytes only at the end of the file. Call `finishSourceRead` after the last part. Errors are
 * described as in `readSourceSync` (see `sourceReadError`).
 */
export function readSourceAt(e: TreeEntry, fd: number, buf: Buffer, pos: number, opts: ReadOptions = {}): number {
  try {
    return readFully(e, fd, buf, pos, opts)
  } catch (err) {
    throw sourceReadError(e, fd, err as NodeJS.ErrnoException)
  }
}

/**
 * After the last `readSourceAt`/`readSourceAtAsync`: `total` bytes came, the file is still a regular
 * file of the size and mtime the walk saw (else `ECHANGED`). A file that grew shows in its size: no
 * probe read past the end.
 */
export function finishSourceRead(e: TreeEntry, fd: number, total: number): void {
  try {
    finishRead(e, fd, total, false)
  } catch (err) {
    throw describe(e, err as NodeJS.ErrnoException)
  }
}

/**
 * Like `readSourceAt`, on the thread pool, so several reads can be in flight (a cold cache serves
 * them in parallel): fills `buf` from file position `pos` and calls `done` with the byte count
 * (fewer only at the end of the file) or the error. A read that fails on a file opened with
 * `openSourceUnchecked` is described as `ECHANGED` when the file is no longer what the walk saw
 * (e.g. a directory or device swapped in), as the check before reading would have.
 */
export function readSourceAtAsync(e: TreeEntry, fd: number, buf: Buffer, pos: number, opts: ReadOptions, done: (err: NodeJS.ErrnoException | null, n: number) => void): void {
  const injected = opts.fault?.(e.abs.toString('utf8'), 'read')
  if (injected) return done(sourceReadError(e, fd, injected), 0)
  let off = 0
  const step = (err: NodeJS.ErrnoException | null, n: number): void => {
    if (err) return done(sourceReadError(e, fd, err), off)
    off += n
    if (n === 0 || off === buf.length) return done(null, off)
    fs.read(fd, buf, off, buf.length - off, pos + off, step)
  }
  fs.read(fd, buf, 0, buf.length, pos, step)
}

/** A read error on an open source file, described; `ECHANGED` when the file is no longer what the walk saw. */
export function sourceReadError(e: TreeEntry, fd: number, err: NodeJS.ErrnoException): NodeJS.ErrnoException {
  try {
    checkStat(e, fs.fstatSync(fd), 'while reading')
  } catch (changed) {
    if (changed instanceof SourceChangedError) return changed
  }
  return describe(e, err)
}

/** Read a (small) regular file entry whole. Throws `ECHANGED`, or an error naming why it failed. */
export function readSourceSync(e: TreeEntry, opts: ReadOptions = {}): Buffer {
  const fd = openSourceSync(e, opts)
  try {
    const buf = opts.into && opts.into.length >= e.size ? opts.into.subarray(0, e.size) : Buffer.allocUnsafe(e.size)
    const n = readFully(e, fd, buf, 0, opts)
    finishRead(e, fd, n)
    return buf
  } catch (err) {
    throw describe(e, err as NodeJS.ErrnoException)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Read a (large) regular file entry in chunks, never holding it whole.
 * Each yielded chunk is a view into one reused buffer, valid until the next chunk is requested. The final checks run
 * after the last chunk: a consumer must treat the output as void if the generator throws.
 */
export function* readSourceChunksSync(e: TreeEntry, chunkSize = 4 << 20, opts: ReadOptions = {}): Generator<Buffer> {
  const fd = openSourceSync(e, opts)
  try {
    let pos = 0
    const buf = Buffer.allocUnsafe(chunkSize)
    while (pos < e.size) {
      const want = Math.min(chunkSize, e.size - pos)
      const n = readFully(e, fd, want === chunkSize ? buf : buf.subarray(0, want), pos, opts)
      if (n === 0) break
      pos += n
      yield buf.subarray(0, n)
    }
    finishRead(e, fd, pos)
  } catch (err) {
    throw describe(e, err as NodeJS.ErrnoException)
  } finally {
    fs.closeSync(fd)
  }
}

/** A symlink entry's target as raw bytes (never followed). */
export function readLinkSync(e: TreeEntry, opts: ReadOptions = {}): Buffer {
  try {
    const injected = opts.fault?.(e.abs.toString('utf8'), 'open')
    if (injected) throw injected
    return fs.readlinkSync(e.abs, { encoding: 'buffer' })
  } catch (err) {
    throw describe(e, err as NodeJS.ErrnoException)
  }
}
