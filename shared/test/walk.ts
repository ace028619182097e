import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { excluder, globToRegExp, isUtf8, statEntry, walkTree, type TreeEntry, type WalkOptions } from '../src/walk.js'

async function walk(root: string, opts?: WalkOptions): Promise<TreeEntry[]> {
  const out: TreeEntry[] = []
  for await (const e of walkTree(root, opts)) out.push(e)
  return out
}
const rels = (es: TreeEntry[]) => es.map((e) => `${e.rel}${e.kind === 'dir' ? '/' : ''}`)

t.test('sorted by name bytes, depth-first, sizes, mtimes and modes', async (t) => {
  const root = t.testdir({
    b: { 'z.txt': 'zz', 'a.txt': 'a' },
    'B.txt': 'upper',
    'a b.txt': 'space',
    'é.txt': 'e-acute',
    'a.b': '',
    a: { c: { 'deep.txt': 'deep' } },
  })
  const es = await walk(root)
  t.same(rels(es), ['B.txt', 'a/', 'a/c/', 'a/c/deep.txt', 'a b.txt', 'a.b', 'b/', 'b/a.txt', 'b/z.txt', 'é.txt'])
  const deep = es.find((e) => e.rel === 'a/c/deep.txt')!
  t.equal(deep.kind, 'file')
  t.equal(deep.size, 4)
  t.equal(deep.abs.toString(), path.join(root, 'a/c/deep.txt'))
  t.equal(deep.relBytes.toString(), 'a/c/deep.txt')
  t.equal(deep.path_b64, undefined)
  t.equal(es.find((e) => e.rel === 'a')!.size, 0, 'directories have size 0')
  utimesSync(path.join(root, 'B.txt'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'))
  const b = await statEntry(Buffer.from(path.join(root, 'B.txt')), Buffer.from('B.txt'))
  t.equal(b.mtimeMs, Date.parse('2020-01-02T03:04:05Z'))
  t.equal(b.mode, 0o644 & ~process.umask() & 0o7777)
})

t.test('symlinks are recorded, never followed', async (t) => {
  const root = t.testdir({ tree: { 'real.txt': 'r' }, outside: { 'secret.txt': 's', sub: { 'x.txt': 'x' } } })
  const tree = path.join(root, 'tree')
  symlinkSync(path.join(root, 'outside'), path.join(tree, 'link-dir'))
  symlinkSync('real.txt', path.join(tree, 'link-file'))
  symlinkSync('/does/not/exist', path.join(tree, 'dangling'))
  const es = await walk(tree)
  t.same(rels(es), ['dangling', 'link-dir', 'link-file', 'real.txt'])
  const byRel = Object.fromEntries(es.map((e) => [e.rel, e]))
  t.equal(byRel['link-dir'].kind, 'symlink')
  t.equal(byRel['link-dir'].target, path.join(root, 'outside'))
  t.equal(byRel['link-file'].target, 'real.txt')
  t.equal(byRel['link-file'].size, 0)
  t.equal(byRel.dangling.kind, 'symlink')
})

t.test('FIFOs and sockets are reported as special, never opened (no hang)', async (t) => {
  // a short path: a unix socket path must fit in 108 bytes, tap's testdir names do not
  const root = mkdtempSync(path.join(os.tmpdir(), 'walk-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  writeFileSync(path.join(root, 'a.txt'), 'a')
  execFileSync('mkfifo', [path.join(root, 'pipe')])
  const server = net.createServer()
  await new Promise<void>((r) => server.listen(path.join(root, 'gunicorn.sock'), r))
  t.teardown(() => server.close())
  const es = await walk(root)
  t.same(
    es.map((e) => [e.rel, e.kind, e.special]),
    [
      ['a.txt', 'file', undefined],
      ['gunicorn.sock', 'special', 'socket'],
      ['pipe', 'special', 'fifo'],
    ],
  )
  const dev = await statEntry(Buffer.from('/dev/null'), Buffer.from('null'))
  t.same([dev.kind, dev.special], ['special', 'char-device'])
})

t.test('non-UTF-8 names: raw bytes kept, path_b64 set', async (t) => {
  const root = t.testdir({ d: {} })
  const latin1 = Buffer.from('caf\xe9.txt', 'latin1') // é as one byte 0xE9: not UTF-8
  const dirBytes = Buffer.concat([Buffer.from(path.join(root, 'd')), Buffer.from('/')])
  writeFileSync(Buffer.concat([dirBytes, latin1]), 'bytes')
  writeFileSync(path.join(root, 'd', 'café.txt'), 'utf8')
  const es = (await walk(root)).filter((e) => e.kind === 'file')
  t.equal(es.length, 2)
  const [utf, raw] = es // 'caf\xc3\xa9' sorts before 'caf\xe9'
  t.equal(utf.rel, 'd/café.txt')
  t.equal(utf.path_b64, undefined)
  t.same(raw.relBytes, Buffer.concat([Buffer.from('d/'), latin1]))
  t.equal(raw.path_b64, Buffer.concat([Buffer.from('d/'), latin1]).toString('base64'))
  t.equal(Buffer.from(raw.path_b64!, 'base64').toString('latin1'), 'd/caf\xe9.txt')
  t.equal(raw.size, 5, 'stat worked through the raw bytes')
  t.ok(isUtf8(Buffer.from('日本語')))
  t.notOk(isUtf8(latin1))
})

t.test('entries that vanish mid-walk are skipped, the walk goes on', async (t) => {
  // 100 names: more than one batch of lstat calls, however the walker batches them
  const files = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${String(i).padStart(3, '0')}`, 'x']))
  const root = t.testdir({ ...files, sub: { 'x.txt': 'x' } })
  // exclude() runs after each entry is stat'ed: use it to delete things listed but not reached yet
  const es = await walk(root, {
    exclude: (rel) => {
      if (rel === 'f000') {
        unlinkSync(path.join(root, 'f098'))
        rmSync(path.join(root, 'sub'), { recursive: true })
      }
      return false
    },
  })
  const got = rels(es)
  t.notOk(got.includes('f098'), 'the vanished file is not reported')
  t.notOk(got.includes('sub/x.txt'))
  t.ok(got.includes('f097') && got.includes('f099'), 'its neighbours are')
  t.equal(got.filter((r) => r.startsWith('f')).length, 99)
})

t.test('a directory that vanishes after its own entry was yielded', async (t) => {
  const root = t.testdir({ c: { 'x.txt': 'x' }, d: 'd' })
  const errors: string[] = []
  const es = await walk(root, {
    exclude: (rel, kind) => {
      if (rel === 'c' && kind === 'dir') rmSync(path.join(root, 'c'), { recursive: true })
      return false
    },
    onError: (rel, err) => errors.push(`${rel}: ${err.code}`),
  })
  t.same(rels(es), ['c/', 'd'])
  t.same(errors, [], 'vanished is not an error')
})

t.test('exclude prunes; unreadable directories go to onError; a missing root throws', async (t) => {
  const root = t.testdir({ keep: { 'a.txt': '' }, 'node_modules': { 'x.js': '' }, tmp: { 'y': '' }, 'z.pyc': '' })
  const ex = excluder(['node_modules', 'tmp/**', '*.pyc'])
  const es = await walk(root, { exclude: (rel) => ex(rel) })
  t.same(rels(es), ['keep/', 'keep/a.txt', 'tmp/'])
  const errors: string[] = []
  const notDir = path.join(root, 'keep', 'a.txt')
  t.same(await walk(notDir, { onError: (rel, err) => errors.push(`${rel}|${err.code}`) }), [])
  t.same(errors, ['|ENOTDIR'])
  await t.rejects(walk(path.join(root, 'missing')), { code: 'ENOENT' })
  mkdirSync(path.join(root, 'empty'))
  t.same(await walk(path.join(root, 'empty')), [])
})

t.test('globToRegExp', async (t) => {
  t.ok(globToRegExp('*.pyc').test('a/b/c.pyc'), 'no slash: any basename')
  t.notOk(globToRegExp('*.pyc').test('a.pyc/x'))
  t.ok(globToRegExp('tmp/*').test('tmp/x'))
  t.notOk(globToRegExp('tmp/*').test('tmp/x/y'))
  t.ok(globToRegExp('tmp/**').test('tmp/x/y'))
  t.ok(globToRegExp('**/cache/*.mp3').test('a/b/cache/v.mp3'))
  t.ok(globToRegExp('**/cache/*.mp3').test('cache/v.mp3'))
  t.ok(globToRegExp('file?.txt').test('file1.txt'))
  t.notOk(globToRegExp('a+b(c).txt').test('aab(c).txt'), 'regex characters are literal')
  t.ok(globToRegExp('a+b(c).txt').test('a+b(c).txt'))
  t.notOk(excluder([])('anything'))
})
