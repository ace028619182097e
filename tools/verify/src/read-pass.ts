/**
 * One sequential read of a file: the next chunk is read while the current one is hashed (on a
 * HashPool worker when given, else here) and handed to `onChunk` (the member checks) at once.
 * `onChunk` may queue member hashes of pieces of the chunk on `pieces` (another worker, or here).
 * It must be done with the bytes when it returns (or when its promise resolves): the slot is
 * read into again once every hash of it is done.
 */
import { createHash } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import { InlineHasher, SLOT, SpanHasher, type HashPool, type PieceHasher, type Slot } from './hash-pool.js'

export type ChunkSink = (chunk: Buffer, pos: number, pieces: PieceHasher) => void | Promise<void>

/** slots a pass cycles through: one being read, one being checked, one still being hashed */
const RING = 3

const settled = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => {}) // awaited later; a failure must not count as unhandled meanwhile
  return p
}

export async function readPass(file: string, pool: HashPool | null, onChunk?: ChunkSink): Promise<{ sha256: string; size: number }> {
  const fh = await fsp.open(file, 'r')
  const ring: Slot[] = pool ? pool.take(RING) : Array.from({ length: 2 }, (_, idx) => ({ idx, buf: Buffer.allocUnsafe(SLOT) }))
  const busy: Promise<unknown>[] = ring.map(() => Promise.resolve())
  const w = pool?.pick()
  const fileId = pool ? pool.newId() : 0
  const spans = pool ? new SpanHasher(pool, w!.members) : null
  const pieces: PieceHasher = spans ?? new InlineHasher()
  const local = pool ? null : createHash('sha256')
  const read = (s: Slot, at: number) => settled(fh.read(s.buf, 0, SLOT, at).then((r) => r.bytesRead))
  let done = false
  let pos = 0
  let pending = read(ring[0], 0)
  try {
    for (let i = 0; ; i++) {
      const n = await pending
      if (n === 0) break
      const k = i % ring.length
      const s = ring[k]
      const chunk = s.buf.subarray(0, n)
      const at = pos
      pos += n
      const next = (i + 1) % ring.length
      await busy[next]
      pending = read(ring[next], pos)
      const hashed = pool ? pool.work(w!.file, s, [fileId, 0, n], []) : local!.update(chunk)
      if (onChunk) await onChunk(chunk, at, pieces)
      busy[k] = settled(Promise.all([hashed, spans?.flush(s)]))
    }
    await Promise.all([...busy, spans?.flush(null)])
    done = true
    if (!pool) return { sha256: local!.digest('hex'), size: pos }
    const [, hex] = await pool.work(w!.file, null, [], [fileId])
    return { sha256: hex as string, size: pos }
  } finally {
    // the workers may still read the slots: hand them back only once they are done with them
    await Promise.allSettled([...busy, pending])
    if (pool) {
      pool.unpick(w!.file)
      if (!done) {
        pool.drop(w!.file, [fileId])
        spans!.drop()
      }
      pool.give(ring)
    }
    await fh.close()
  }
}
