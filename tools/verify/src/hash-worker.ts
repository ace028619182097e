/**
 * Worker thread behind HashPool: SHA-256 of whole files, fed from shared read slots. Messages:
 * `slot` (a SharedArrayBuffer, once), `update` (bytes of a slot into hash `id`), `digest`, `drop`.
 * Every `update`/`digest` gets a reply with its `seq`, so the slot can be reused.
 */
import { createHash, type Hash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'

type Msg =
  | { op: 'slot'; idx: number; sab: SharedArrayBuffer }
  | { op: 'update'; seq: number; id: number; slot: number; len: number }
  | { op: 'digest'; seq: number; id: number }
  | { op: 'drop'; id: number }

const slots: Uint8Array[] = []
const hashes = new Map<number, Hash>()
const port = parentPort!

port.on('message', (m: Msg) => {
  if (m.op === 'slot') slots[m.idx] = new Uint8Array(m.sab)
  else if (m.op === 'drop') hashes.delete(m.id)
  else if (m.op === 'update') {
    let h = hashes.get(m.id)
    if (!h) hashes.set(m.id, (h = createHash('sha256')))
    h.update(slots[m.slot].subarray(0, m.len))
    port.postMessage({ seq: m.seq })
  } else {
    const h = hashes.get(m.id) ?? createHash('sha256')
    hashes.delete(m.id)
    port.postMessage({ seq: m.seq, hex: h.digest('hex') })
  }
})
