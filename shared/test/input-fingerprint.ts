import t from 'tap'
import { appendFileSync, chmodSync, mkdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { combineFingerprints, fingerprintRoot } from '../src/input-fingerprint.js'

const tree = (p: string) => ({ path: p, walk: true })

t.test('the same tree gives the same digest; every kind of change gives another', async (t) => {
  const root = t.testdir({ a: { 'x.txt': 'one', 'y.txt': 'two' }, 'b.bin': Buffer.from([0xff, 0xfe]) })
  const fp = () => fingerprintRoot(tree(root)).sha256
  const base = fp()
  t.equal(fp(), base, 'walked twice, unchanged')
  t.equal(fingerprintRoot(tree(root)).entries, 5, 'the root, a/, two files in it, b.bin')

  // same size, mtime put back: ctime (which cannot be set) still tells
  const x = path.join(root, 'a/x.txt')
  const st = statSync(x)
  // a rewrite within the file system's timestamp tick would leave ctime as it was: rewrite until the
  // tick has passed (a condition polled, bounded; never a fixed sleep)
  for (const end = Date.now() + 30_000; ; ) {
    writeFileSync(x, 'ONE')
    utimesSync(x, st.atime, st.mtime)
    if (statSync(x).ctimeMs !== st.ctimeMs) break
    if (Date.now() > end) throw new Error('ctime never moved in 30 s')
    await new Promise((r) => setImmediate(r))
  }
  const rewritten = fp()
  t.not(rewritten, base, 'content rewritten in place with the old mtime')

  chmodSync(x, 0o600)
  const chmodded = fp()
  t.not(chmodded, rewritten, 'mode changed')
  writeFileSync(path.join(root, 'a/new.txt'), '')
  const added = fp()
  t.not(added, chmodded, 'an empty file added')
  renameSync(path.join(root, 'a/new.txt'), path.join(root, 'a/new2.txt'))
  const renamed = fp()
  t.not(renamed, added, 'a file renamed')
  mkdirSync(path.join(root, 'a/sub'))
  t.not(fp(), renamed, 'an empty folder added')
})

t.test('a missing root counts, and appearing is a change; a single-entry root is not walked', async (t) => {
  const dir = t.testdir({ d: { 'f.txt': 'f' } })
  const gone = path.join(dir, 'later')
  const before = fingerprintRoot(tree(gone))
  t.equal(before.entries, 1)
  t.equal(before.marginMs, Infinity, 'nothing seen, nothing racy')
  writeFileSync(gone, 'now here')
  t.not(fingerprintRoot(tree(gone)).sha256, before.sha256, 'the root appeared')
  const entryOnly = fingerprintRoot({ path: path.join(dir, 'd'), walk: false })
  t.equal(entryOnly.entries, 1, 'an entry root is the entry alone')
  appendFileSync(path.join(dir, 'd/f.txt'), 'more')
  t.equal(fingerprintRoot({ path: path.join(dir, 'd'), walk: false }).sha256, entryOnly.sha256, 'a change inside an entry root is not its business')
})

t.test('marginMs: the time from the newest mtime or ctime to the start of the walk, by the clock given', async (t) => {
  const root = t.testdir({ 'f.txt': 'f', d: { 'g.txt': 'g' } })
  const newest = () => Math.max(...['', 'f.txt', 'd', 'd/g.txt'].map((p) => statSync(path.join(root, p))).flatMap((s) => [s.mtimeMs, s.ctimeMs]))
  t.equal(fingerprintRoot(tree(root), () => newest() + 1999).marginMs, 1999, 'a walk 1999 ms after the newest change')
  t.equal(fingerprintRoot(tree(root), () => newest() + 2000).marginMs, 2000, 'and one 2000 ms after it')
  t.equal(fingerprintRoot(tree(root), () => newest() - 5).marginMs, -5, 'a change stamped after the walk began: negative')
  const old = new Date(Date.now() - 3_600_000)
  utimesSync(path.join(root, 'f.txt'), old, old)
  utimesSync(root, old, old)
  const f = statSync(path.join(root, 'f.txt'))
  t.ok(f.ctimeMs > f.mtimeMs, 'mtime set an hour back; ctime was set now by utimes')
  t.equal(fingerprintRoot(tree(root), () => newest() + 10).marginMs, 10, 'ctime keeps it racy, as it must (the file did change just now)')
  t.equal(fingerprintRoot(tree(path.join(root, 'nothing-here'))).marginMs, Infinity, 'nothing seen: nothing racy')
  t.ok(fingerprintRoot(tree(root)).marginMs > -1, 'the real clock: every change came before the walk (Date.now() counts whole ms, a ctime to the ns)')
})

t.test('several roots combine in order', async (t) => {
  const dir = t.testdir({ x: { 'x.txt': 'x' }, y: { 'y.txt': 'y' } })
  const [a, b] = ['x', 'y'].map((p) => fingerprintRoot(tree(path.join(dir, p))))
  const ab = combineFingerprints([a, b])
  t.not(ab.sha256, combineFingerprints([b, a]).sha256, 'the order counts')
  t.equal(ab.entries, a.entries + b.entries)
  t.equal(ab.marginMs, Math.min(a.marginMs, b.marginMs))
})
