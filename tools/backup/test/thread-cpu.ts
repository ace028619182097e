import t from 'tap'
import { createHash } from 'node:crypto'
import { threadCpuMs } from '../src/thread-cpu.js'

t.test("a thread's CPU time is read, and grows with the work done in it", async (t) => {
  const before = threadCpuMs()
  t.ok(Number.isFinite(before) && before >= 0, `${before} ms`)
  // work until the reading moves (a tick is 10 ms); bounded, so a reader that never moves fails instead of hanging
  let after = before
  for (let i = 0; i < 200_000 && after === before; i++) {
    createHash('sha256').update(Buffer.alloc(64 << 10, i)).digest()
    after = threadCpuMs()
  }
  t.ok(after > before, `${before} → ${after} ms`)
})
