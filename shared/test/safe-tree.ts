/**
 * SafeTree never writes through a symlink, whoever made it: folders are lstat'ed component by
 * component, files opened with O_NOFOLLOW; symlinks are made last, verbatim, and only where nothing
 * stands and below real folders. artifactFile and readRegular refuse what is not a regular file of the run.
 */
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, closeSync, writeSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { SafeTree } from '../src/safe-tree.js'
import { artifactFile, readRegular } from '../src/artifact-file.js'

const b = (...names: string[]) => names.map((n) => Buffer.from(n))

t.test('no write through a link; links made last, verbatim; conflicts reported', async (t) => {
  const base = t.testdir({})
  const root = path.join(base, 'root')
  const outside = path.join(base, 'outside')
  mkdirSync(root)
  mkdirSync(outside)
  writeFileSync(path.join(outside, 'keep.txt'), 'keep')
  symlinkSync(outside, path.join(root, 'l'))
  const tree = new SafeTree(root)
  t.throws(() => tree.dir(b('l', 'sub')), { code: 'ECONFLICT' }, 'a folder through a link is refused')
  t.throws(() => tree.open(b('l', 'keep.txt'), 0o644), { code: 'ECONFLICT' }, 'a file through a link is refused')
  t.throws(() => tree.open(b('l'), 0o644), { code: 'ECONFLICT' }, 'a link itself is never opened for writing')
  t.equal(readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'keep')
  t.notOk(existsSync(path.join(outside, 'sub')))
  const fd = tree.open(b('d', 'f.txt'), 0o644)
  writeSync(fd, 'f')
  closeSync(fd)
  tree.link(b('d', 'up'), Buffer.from('../../outside'), 1704067200, 'd/up')
  tree.link(b('d', 'f.txt'), Buffer.from('x'), 1704067200, 'd/f.txt')
  tree.link(b('d', 'up', 'deeper'), Buffer.from('y'), 1704067200, 'd/up/deeper')
  tree.link(b('odd'), Buffer.from([0x2f, 0xff, 0x41]), 1704067200, 'odd')
  const skipped = tree.makeLinks()
  t.same(skipped.map((s) => s.name).sort(), ['d/f.txt', 'd/up/deeper'], 'a link over a file, or below a link, is not made')
  t.equal(readlinkSync(path.join(root, 'd', 'up')), '../../outside', 'a link leaving the root is made as it was')
  t.same(readlinkSync(path.join(root, 'odd'), { encoding: 'buffer' }), Buffer.from([0x2f, 0xff, 0x41]), 'exact target bytes')
  t.equal(readFileSync(path.join(root, 'd', 'f.txt'), 'utf8'), 'f')
  t.notOk(existsSync(path.join(outside, 'deeper')), 'nothing made through the new link')
})

t.test('artifacts and run documents: regular files inside the run only', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  mkdirSync(run)
  writeFileSync(path.join(run, 'a.zip'), 'zip')
  symlinkSync('/dev/zero', path.join(run, 'zero.zip'))
  symlinkSync('a.zip', path.join(run, 'inside.zip'))
  execFileSync('mkfifo', [path.join(run, 'fifo.zip')])
  t.equal(artifactFile(run, 'a.zip'), path.join(run, 'a.zip'))
  t.equal(artifactFile(run, 'inside.zip'), path.join(run, 'a.zip'), 'a link inside the run is followed to its file')
  t.throws(() => artifactFile(run, 'zero.zip'), /a link out of the run \(to \/dev\/zero\)/)
  t.throws(() => artifactFile(run, 'fifo.zip'), /not a regular file \(a FIFO\)/)
  t.throws(() => artifactFile(run, '../run/a.zip'), /leaves the run/)
  t.throws(() => artifactFile(run, '/etc/passwd'), /leaves the run/)
  t.throws(() => artifactFile(run, 'missing.zip'), /missing/)
  t.equal((await readRegular(path.join(run, 'a.zip'))).toString(), 'zip')
  await t.rejects(readRegular(path.join(run, 'fifo.zip')), { code: 'ENOTREG' }, 'a FIFO is refused, not waited on')
  await t.rejects(readRegular(path.join(run, 'zero.zip')), { code: 'ENOTREG' }, 'a device is refused, not read forever')
})
