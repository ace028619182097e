/**
 * One sequential read of a file: the next chunk is read while the current one is hashed (on a
 * HashPool worker when given, else here) and handed to `onChunk` (the member checks) at once.
 * `onChunk` must be done with the bytes when it returns (or when its promise resolves): the slot
 * is read into again afterwards.
 */
import { createHash } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import { SLOT, type HashPool, type Slot, type WorkerHash } from './hash-pool.js'

export type ChunkSink = (chunk: Buffer, pos: number) => void | Promise<void>

/** slots a pass cycles through: one being read, one being checked, one still being hashed */
const RING = 3

const settled = (p: Promise<unknown>): Promise<unknown> => {
  p.catch(() => {}) // awaited later; a failure must not count as unhandled meanwhile
  return p
}

export async function readPass(file: string, pool: HashPool | null, onChunk?: ChunkSink): Promise<{ sha256: string; size: number }> {
  const fh = await fsp.open(file, 'r')
  const ring: Slot[] = pool ? pool.take(RING) : Array.from({ length: 2 }, (_, idx) => ({ idx, buf: Buffer.allocUnsafe(SLOT) }))
  const busy: Promise<unknown>[] = ring.map(() => Promise.resolve())
  const remote: WorkerHash | null = pool ? pool.begin() : null
  const local = pool ? null : createHash('sha256')
  const read = (s: Slot, at: number) => settled(fh.read(s.buf, 0, SLOT, at).then((r) => r.bytesRead))
  let done = false
  let pos = 0
  let pending = read(ring[0], 0)
  try {
    let i = 0
    for (;;) {
      const n = (await pending) as number
      if (n === 0) break
      const s = ring[i % ring.length]
      const chunk = s.buf.subarray(0, n)
      const at = pos
      pos += n
      const ns = ring[(i + 1) % ring.length]
      await busy[(i + 1) % ring.length]
      pending = read(ns, pos)
      if (remote) busy[i % ring.length] = settled(remote.update(s, n))
      else local!.update(chunk)
      if (onChunk) await onChunk(chunk, at)
      i++
    }
    await Promise.all(busy)
    done = true
    return { sha256: remote ? await remote.digest() : local!.digest('hex'), size: pos }
  } finally {
    // the worker may still read the slots: hand them back only once it is done with them
    await Promise.allSettled([...busy, pending])
    if (remote && !done) remote.drop()
    pool?.give(ring)
    await fh.close()
  }
}
