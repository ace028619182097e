/** Worker thread of InputWalker: fingerprints the roots it is sent, one at a time. */
import { parentPort } from 'node:worker_threads'
import { fingerprintRoot, type FingerprintRoot } from '@clara/shared/input-fingerprint'

parentPort!.on('message', (root: FingerprintRoot) => {
  try {
    parentPort!.postMessage({ ok: fingerprintRoot(root) })
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message })
  }
})
