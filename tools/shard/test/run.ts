import path from 'node:path'
import { workerNamesSince, workersStarted } from '@clara/shared/testkit-workers'
import t, { type Test } from 'tap'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { WRITER_THREAD_MIN_BYTES } from '../src/run.js'
import { bytes, put, readJson, scratch, sha256File } from './helpers.js'

const started = workersStarted()

async function shardOne(t: Test, files: Record<string, number>) {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  let i = 0
  for (const [name, size] of Object.entries(files)) put(src, name, bytes(i++, size), 1_690_000_000 + i * 3600)
  const before = started.length
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'out'), '--domain', 'a', '--prefix', 'p', '--root', src, '--workers', '1'] })
  t.equal(r.code, 0, r.stderr)
  const [s] = readJson(path.join(dir, 'out', 'a', 'index.json')).shards as { path: string; sha256: string }[]
  t.equal(sha256File(path.join(dir, 'out', 'a', s.path)), s.sha256, 'the archive is what its index entry says')
  return workerNamesSince(before)
}

t.test('one lane, archives smaller than WRITER_THREAD_MIN_BYTES in all: written from this thread, no thread started', async (t) => {
  t.same(await shardOne(t, { 'a.mp3': 40_000, 'b/c.mp3': 700_000 }), [])
})

t.test('one lane, archives of WRITER_THREAD_MIN_BYTES or more: one writer thread', async (t) => {
  t.same(await shardOne(t, { 'a.mp3': 40_000, 'big.mp3': WRITER_THREAD_MIN_BYTES }), ['write-worker.js'])
})
