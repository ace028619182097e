/**
 * The writing side of an archive (behind ArchiveSink): blocks are written through AtomicFile (which
 * hashes them), flushed to disk as they go (a background fdatasync every 64 MiB, so the final fsync
 * at commit has little left to do and disk time overlaps the reading), then committed (fsync,
 * rename, fsync of the directory; under CLARA_FLUSH=grouped neither the flushes nor the fsyncs, see
 * shared/src/durability.ts). It also hashes the member content spans marked in a block (the
 * members the reading thread left to it, see BlockOut.offload). Runs on a writer thread of its own
 * (write-worker.ts) or, in a pool worker that already has a core to itself, on that thread (the
 * writes go to libuv's pool). Every message gets one reply: `written` (the block comes back for
 * reuse) or `done` (open, sums, commit, abort); messages are handled one at a time, in order.
 */
import { createHash, type Hash } from 'node:crypto'
import fs from 'node:fs'
import { AtomicFile } from '@clara/shared/atomic'
import { flushGrouped } from '@clara/shared/durability'

/** member content in a block: [member index, offset, length, 1 if it ends the member] */
type Span = [number, number, number, number]
export type WriterMsg = { op: 'open'; path: string; mode: number } | { op: 'write'; buf: ArrayBuffer; len: number; spans?: Span[] } | { op: 'sums' } | { op: 'commit' } | { op: 'abort' }
export type Reply = (r: object, transfer?: ArrayBuffer[]) => void

const FLUSH_EVERY = 64 << 20

/** A message handler with its own state (one archive at a time). */
export function blockWriter(reply: Reply): (m: WriterMsg) => void {
  let file: AtomicFile | null = null
  let probe: number | null = null
  let unflushed = 0
  let failed: NodeJS.ErrnoException | null = null
  /** the background fdatasync in progress (one at a time; writes go on meanwhile) */
  let flushing: Promise<void> | null = null
  let queue: Promise<void> = Promise.resolve()
  let open = new Map<number, Hash>()
  let sums: Record<number, string> = {}

  /** Hash the member content spans of a block (the archive's own hash is AtomicFile's). */
  function hashSpans(bytes: Uint8Array, spans: Span[]): void {
    for (const [idx, off, len, last] of spans) {
      let h = open.get(idx)
      if (!h) open.set(idx, (h = createHash('sha256')))
      h.update(bytes.subarray(off, off + len))
      if (last) {
        sums[idx] = h.digest('hex')
        open.delete(idx)
      }
    }
  }

  async function write(buf: ArrayBuffer, len: number, spans: Span[] | undefined): Promise<void> {
    if (failed) return
    try {
      const bytes = new Uint8Array(buf, 0, len)
      // one pass over the block while it is in cache: the write is started, then the archive's hash
      // (in AtomicFile.write) and the members' run while the thread pool copies it out
      const writing = file!.write(bytes)
      if (spans?.length) hashSpans(bytes, spans)
      await writing
      unflushed += len
      // grouped (durability.ts): no per-file flushes; the domain's one flush writes it all
      if (unflushed >= FLUSH_EVERY && !flushing && !flushGrouped()) {
        const fd = probe!
        flushing = new Promise<void>((resolve) => fs.fdatasync(fd, () => resolve())).then(() => {
          flushing = null
        })
        unflushed = 0
      }
    } catch (err) {
      failed = err as NodeJS.ErrnoException
    }
  }

  function closeProbe(): void {
    if (probe !== null) fs.closeSync(probe)
    probe = null
  }

  async function control(m: WriterMsg): Promise<object> {
    if (m.op === 'sums') {
      if (failed) throw failed
      return { sums }
    }
    if (m.op === 'open') {
      failed = null
      unflushed = 0
      open = new Map()
      sums = {}
      file = await AtomicFile.open(m.path, { mode: m.mode })
      probe = fs.openSync(file.tmp, 'r') // fdatasync on any fd of the file flushes its data
      return {}
    }
    await flushing
    closeProbe()
    const f = file
    file = null
    if (m.op === 'abort' || failed) {
      await f?.abort()
      if (m.op === 'commit') throw failed
      return {}
    }
    return { res: await f!.commit() }
  }

  return (m) => {
    queue = queue.then(async () => {
      if (m.op === 'write') {
        await write(m.buf, m.len, m.spans)
        reply({ op: 'written', buf: m.buf, error: failed?.message, code: failed?.code }, [m.buf])
        return
      }
      try {
        reply({ op: 'done', ...(await control(m)) })
      } catch (err) {
        const e = err as NodeJS.ErrnoException
        reply({ op: 'done', error: e.message, code: e.code })
      }
    })
  }
}
