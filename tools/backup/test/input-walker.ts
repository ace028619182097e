import t from 'tap'
import { appendFileSync } from 'node:fs'
import path from 'node:path'
import { combineFingerprints, fingerprintRoot } from '@clara/shared/input-fingerprint'
import { InputWalker } from '../src/input-walker.js'

const tree = (p: string) => ({ path: p, walk: true })

t.test('a root walked once stands for every later caller in the run; a new run walks again', async (t) => {
  const dir = t.testdir({ a: { 'f.txt': 'f' }, b: { 'g.txt': 'g' } })
  const [a, b] = [tree(path.join(dir, 'a')), tree(path.join(dir, 'b'))]
  const w = new InputWalker()
  t.teardown(() => w.close())
  w.prefetch([b])
  const first = await w.fingerprint([a, b])
  t.equal(first.entries, 4)
  appendFileSync(path.join(dir, 'a/f.txt'), 'changed after the walk')
  t.equal((await w.fingerprint([a, b])).sha256, first.sha256, 'the earlier walks stand (they came before any reader)')
  const fresh = new InputWalker()
  t.not((await fresh.fingerprint([a, b])).sha256, first.sha256, 'a new run sees the change')
  await fresh.close()
})

t.test('the worker digests exactly as this thread does', async (t) => {
  const dir = t.testdir({ b: { 'g.txt': 'g', sub: { 'h.txt': 'h' } } })
  const b = tree(path.join(dir, 'b'))
  const w = new InputWalker()
  t.teardown(() => w.close())
  w.prefetch([b])
  t.equal((await w.fingerprint([b])).sha256, combineFingerprints([fingerprintRoot(b)]).sha256)
})

t.test('a root that cannot be walked rejects, from the worker and from this thread', async (t) => {
  const dir = t.testdir({ 'file.txt': 'x' })
  const bad = tree(path.join(dir, 'file.txt', 'below')) // ENOTDIR
  const viaWorker = new InputWalker()
  t.teardown(() => viaWorker.close())
  viaWorker.prefetch([bad])
  await t.rejects(viaWorker.fingerprint([bad]), /ENOTDIR/)
  const here = new InputWalker()
  await t.rejects(here.fingerprint([bad]), /ENOTDIR/)
  await here.close()
})
