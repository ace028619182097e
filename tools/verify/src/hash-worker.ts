/**
 * Worker thread behind HashPool: SHA-256 of spans of shared read slots. Messages: `slot` (a
 * SharedArrayBuffer, once per slot), `work` (spans `[id, offset, length, …]` of a slot fed to
 * hashes `id`, then hashes `close`d; the reply carries their digests), `drop` (forget hashes).
 * Every `work` gets one reply with its `seq`: the slot may then be reused.
 */
import { createHash, type Hash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'

type Msg =
  | { op: 'slot'; idx: number; sab: SharedArrayBuffer }
  | { op: 'work'; seq: number; slot: number; spans: number[]; close: number[] }
  | { op: 'drop'; ids: number[] }

const slots: Uint8Array[] = []
const hashes = new Map<number, Hash>()
const port = parentPort!

const hashOf = (id: number): Hash => {
  let h = hashes.get(id)
  if (!h) hashes.set(id, (h = createHash('sha256')))
  return h
}

port.on('message', (m: Msg) => {
  if (m.op === 'slot') slots[m.idx] = new Uint8Array(m.sab)
  else if (m.op === 'drop') for (const id of m.ids) hashes.delete(id)
  else {
    const s = m.slot >= 0 ? slots[m.slot] : null
    for (let i = 0; i < m.spans.length; i += 3) hashOf(m.spans[i]).update(s!.subarray(m.spans[i + 1], m.spans[i + 1] + m.spans[i + 2]))
    const digests: (number | string)[] = []
    for (const id of m.close) {
      digests.push(id, hashOf(id).digest('hex'))
      hashes.delete(id)
    }
    port.postMessage({ seq: m.seq, digests })
  }
})
