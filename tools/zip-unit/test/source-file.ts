import t from 'tap'
import { execFileSync } from 'node:child_process'
import { appendFileSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { faultsFromEnv, readLinkSync, readSourceChunksSync, readSourceSync, sourceAction } from '@clara/shared/source-file'
import { statEntry, walkTree, type TreeEntry } from '@clara/shared/walk'
import { walkTreeSync } from '@clara/shared/walk-sync'

const entry = (abs: string, rel: string) => statEntry(Buffer.from(abs), Buffer.from(rel))

t.test('a regular file is read whole or in chunks', async (t) => {
  const dir = t.testdir({ 'a.txt': 'hello world' })
  const e = await entry(path.join(dir, 'a.txt'), 'a.txt')
  t.equal(readSourceSync(e).toString(), 'hello world')
  const parts: Buffer[] = []
  for (const c of readSourceChunksSync(e, 4)) parts.push(Buffer.from(c)) // chunks share one buffer: copy as they come
  t.equal(Buffer.concat(parts).toString(), 'hello world')
  const scratch = Buffer.alloc(64)
  t.equal(readSourceSync(e, { into: scratch }).buffer, scratch.buffer, 'reads into a scratch buffer')
})

t.test('a file that vanished, or cannot be read, is an error naming why', async (t) => {
  const dir = t.testdir({ 'gone.txt': 'x', 'locked.txt': 'y' })
  const gone = await entry(path.join(dir, 'gone.txt'), 'gone.txt')
  unlinkSync(path.join(dir, 'gone.txt'))
  t.throws(() => readSourceSync(gone), { code: 'ENOENT', message: /gone\.txt: vanished/ })
  const locked = await entry(path.join(dir, 'locked.txt'), 'locked.txt')
  const fault = faultsFromEnv({ CLARA_FAULT_INJECT: 'EACCES:locked,EIO@read:other' })
  t.throws(() => readSourceSync(locked, { fault }), { code: 'EACCES', message: /locked\.txt: cannot be read/ })
  const fault2 = faultsFromEnv({ CLARA_FAULT_INJECT: 'EIO@read:locked' })
  t.throws(() => readSourceSync(locked, { fault: fault2 }), { code: 'EIO' })
  t.equal(faultsFromEnv({}), undefined)
})

t.test('a file whose size or mtime changes while read is detected (ECHANGED)', async (t) => {
  const dir = t.testdir({ 'grow.txt': 'abc', 'touched.txt': 'abc' })
  const e = await entry(path.join(dir, 'grow.txt'), 'grow.txt')
  appendFileSync(path.join(dir, 'grow.txt'), 'more')
  t.throws(() => readSourceSync(e), { code: 'ECHANGED' }, 'changed between walk and open')
  const e2 = await entry(path.join(dir, 'grow.txt'), 'grow.txt')
  const grow = faultsFromEnv({ CLARA_FAULT_INJECT: 'GROW1:grow.txt' })
  t.throws(() => readSourceSync(e2, { fault: grow }), { code: 'ECHANGED', message: /grew|size/ }, 'grew during the read')
  t.throws(() => [...readSourceChunksSync(e2, 2)], { code: 'ECHANGED' }, 'chunked reads check too')
  const e3 = await entry(path.join(dir, 'touched.txt'), 'touched.txt')
  execFileSync('touch', ['-d', '2001-01-01', path.join(dir, 'touched.txt')])
  t.throws(() => readSourceSync(e3), { code: 'ECHANGED', message: /mtime/ })
})

t.test('a FIFO is never opened: skipped by kind, and an entry that became a FIFO does not hang', async (t) => {
  const dir = t.testdir({ 'f.txt': 'regular for now' })
  execFileSync('mkfifo', [path.join(dir, 'pipe')])
  const pipe = await entry(path.join(dir, 'pipe'), 'pipe')
  t.equal(sourceAction(pipe), 'skip')
  const was = await entry(path.join(dir, 'f.txt'), 'f.txt')
  unlinkSync(path.join(dir, 'f.txt'))
  execFileSync('mkfifo', [path.join(dir, 'f.txt')])
  t.throws(() => readSourceSync(was), { code: 'ECHANGED', message: /no longer a regular file/ })
})

t.test('a file swapped for a symlink is not followed', async (t) => {
  const dir = t.testdir({ 'f.txt': 'abc', outside: 'secret' })
  const was = await entry(path.join(dir, 'f.txt'), 'f.txt')
  unlinkSync(path.join(dir, 'f.txt'))
  execFileSync('ln', ['-s', path.join(dir, 'outside'), path.join(dir, 'f.txt')])
  t.throws(() => readSourceSync(was), { code: 'ECHANGED', message: /symlink/ })
  const link = await entry(path.join(dir, 'f.txt'), 'f.txt')
  t.equal(sourceAction(link), 'symlink')
  t.equal(readLinkSync(link).toString(), path.join(dir, 'outside'))
})

t.test('walkTreeSync yields exactly what walkTree yields', async (t) => {
  const dir = t.testdir({ b: { 'x.txt': '1', 'y-z': { deep: '2' } }, 'a.txt': '3', 'b-c': '4', empty: {}, excluded: { k: '5' } })
  writeFileSync(path.join(dir, Buffer.concat([Buffer.from('raw'), Buffer.from([0xff])]).toString('latin1')), 'odd')
  writeFileSync(Buffer.concat([Buffer.from(dir + '/n'), Buffer.from([0xfe])]), 'odd name')
  execFileSync('mkfifo', [path.join(dir, 'fifo')])
  execFileSync('ln', ['-s', '../../etc/passwd', path.join(dir, 'link')])
  const strip = (e: TreeEntry) => ({ ...e, abs: e.abs.toString('base64'), relBytes: e.relBytes.toString('base64') })
  const exclude = (rel: string) => rel === 'excluded'
  const a: unknown[] = []
  for await (const e of walkTree(dir, { exclude })) a.push(strip(e))
  const b = [...walkTreeSync(dir, { exclude })].map(strip)
  t.same(b, a)
  t.ok(b.length >= 10)
})
