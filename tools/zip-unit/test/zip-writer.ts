import t from 'tap'
import { execFileSync } from 'node:child_process'
import { promises as fsp, readFileSync, lstatSync, readlinkSync } from 'node:fs'
import path from 'node:path'
import { AtomicFile } from '@clara/shared/atomic'
import { sha256 } from '@clara/shared/hash'
import { compressible, ZipWriter, type ZipSink } from '@clara/shared/zip-writer'
import { ZipReader } from '@clara/shared/zip-reader'
import { extractEntry, safeMemberPath } from '@clara/shared/zip-extract'

const T = 1_700_000_001 // an odd second: DOS time alone would lose it
const text = Buffer.from('<p>hello, zip</p>\n'.repeat(500))
const noise = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919 + (i >> 3) * 104729) & 255))
const big = Buffer.alloc(9 << 20, 'abcdefgh')

async function build(file: string, opts: { level?: number } = {}): Promise<{ sha256: string; size_bytes: number }> {
  const f = await AtomicFile.open(file)
  const z = new ZipWriter(f, opts)
  await z.addDir({ name: Buffer.from('d/'), mtime: T })
  await z.addDir({ name: Buffer.from('d/empty/'), mtime: T - 10 })
  await z.addFile({ name: Buffer.from('d/page.html'), mtime: T }, text)
  await z.addFile({ name: Buffer.from('d/run.sh'), mtime: T, mode: 0o700 }, Buffer.from('#!/bin/sh\n'))
  await z.addFile({ name: Buffer.from('d/song.mp3'), mtime: T }, noise)
  await z.addFile({ name: Buffer.from('d/zero'), mtime: T }, Buffer.alloc(0))
  await z.addFile({ name: Buffer.from('d/Ünïcödé — 日本.txt'), mtime: T }, Buffer.from('utf8 name'))
  await z.addSymlink({ name: Buffer.from('d/link'), mtime: T }, Buffer.from('page.html'))
  await z.addChunks({ name: Buffer.from('d/big.txt'), mtime: T }, big.length, (function* () {
    for (let o = 0; o < big.length; o += 4 << 20) yield big.subarray(o, o + (4 << 20))
  })())
  await z.finish()
  return f.commit()
}

t.test('the same calls give byte-identical archives', async (t) => {
  const dir = t.testdir()
  const a = await build(path.join(dir, 'a.zip'))
  const b = await build(path.join(dir, 'b.zip'))
  t.equal(a.sha256, b.sha256)
  t.equal(sha256(readFileSync(path.join(dir, 'a.zip'))), a.sha256, 'sha256 hashed while written')
  t.equal(a.size_bytes, (await fsp.stat(path.join(dir, 'a.zip'))).size)
})

t.test('unzip -t passes and unzip restores bytes, modes, mtimes and UTF-8 names', async (t) => {
  const dir = t.testdir()
  await build(path.join(dir, 'a.zip'))
  t.match(execFileSync('unzip', ['-t', path.join(dir, 'a.zip')], { encoding: 'utf8' }), /No errors detected/)
  const out = path.join(dir, 'out')
  execFileSync('unzip', ['-q', path.join(dir, 'a.zip'), '-d', out])
  t.same(readFileSync(path.join(out, 'd/page.html')), text)
  t.same(readFileSync(path.join(out, 'd/big.txt')).equals(big), true, 'streamed member round-trips')
  t.equal(readFileSync(path.join(out, 'd/Ünïcödé — 日本.txt'), 'utf8'), 'utf8 name')
  t.equal(lstatSync(path.join(out, 'd/page.html')).mtimeMs / 1000, T, 'mtime to the second')
  t.equal(lstatSync(path.join(out, 'd/empty')).isDirectory(), true, 'empty directory kept')
  t.equal(lstatSync(path.join(out, 'd/run.sh')).mode & 0o777, 0o755, 'exec bit → 0755')
  t.equal(lstatSync(path.join(out, 'd/page.html')).mode & 0o777, 0o644)
  t.equal(readlinkSync(path.join(out, 'd/link')), 'page.html', 'symlink restored as a link')
  t.equal(lstatSync(path.join(out, 'd/zero')).size, 0)
})

t.test('compression by content: media stored, text deflated; reader checks every member', async (t) => {
  const dir = t.testdir()
  await build(path.join(dir, 'a.zip'))
  const z = await ZipReader.open(path.join(dir, 'a.zip'))
  t.teardown(() => z.close())
  const by = Object.fromEntries(z.entries.map((e) => [e.name, e]))
  t.equal(by['d/song.mp3'].method, 0, 'mp3 stored')
  t.equal(by['d/page.html'].method, 8, 'html deflated')
  t.ok(by['d/page.html'].compressedSize < text.length / 10)
  t.equal(by['d/link'].kind, 'symlink')
  t.equal((await z.symlinkTarget(by['d/link'])).toString(), 'page.html')
  t.equal(by['d/empty/'].kind, 'dir')
  t.equal(by['d/run.sh'].mode, 0o755)
  t.equal(by['d/page.html'].mtime, T)
  t.equal(by['d/empty/'].mtime, T - 10)
  t.equal((await z.hash(by['d/big.txt'])).sha256, sha256(big))
  t.same(await z.read(by['d/song.mp3']), noise)
  t.ok(compressible('a.HTML') && !compressible('x.JPG') && !compressible('y.gz'))
})

t.test('level 0 stores everything; a level changes the bytes', async (t) => {
  const dir = t.testdir()
  const a = await build(path.join(dir, 'a.zip'), { level: 0 })
  const b = await build(path.join(dir, 'b.zip'), { level: 1 })
  t.not(a.sha256, b.sha256)
  const z = await ZipReader.open(path.join(dir, 'a.zip'))
  t.ok(z.entries.every((e) => e.method === 0))
  await z.close()
})

t.test('a non-UTF-8 name is stored byte-exact and round-trips through the reader and extract', async (t) => {
  const dir = t.testdir()
  const name = Buffer.concat([Buffer.from('raw/caf'), Buffer.from([0xe9]), Buffer.from('.txt')])
  const f = await AtomicFile.open(path.join(dir, 'n.zip'))
  const z = new ZipWriter(f)
  await z.addFile({ name, mtime: T }, Buffer.from('latin1 name'))
  await z.finish()
  await f.commit()
  t.match(execFileSync('unzip', ['-t', path.join(dir, 'n.zip')], { encoding: 'utf8' }), /No errors detected/)
  const r = await ZipReader.open(path.join(dir, 'n.zip'))
  const e = r.entries[0]
  t.same(e.nameBytes, name)
  t.equal(e.path_b64, name.toString('base64'))
  t.equal(e.flags & 0x800, 0, 'no UTF-8 flag on a non-UTF-8 name')
  const target = safeMemberPath(path.join(dir, 'x'), e.nameBytes)!
  await extractEntry(r, e, target)
  await r.close()
  t.equal(readFileSync(target, 'utf8'), 'latin1 name')
  t.equal(lstatSync(target).mtimeMs / 1000, T)
  t.equal(safeMemberPath(dir, Buffer.from('../evil')), null, 'zip-slip refused')
  t.equal(safeMemberPath(dir, Buffer.from('/etc/passwd')), null)
})

t.test('more than 65,535 entries use the zip64 end records', async (t) => {
  const dir = t.testdir()
  const f = await AtomicFile.open(path.join(dir, 'many.zip'))
  const z = new ZipWriter(f)
  for (let i = 0; i < 70_000; i++) await z.addFile({ name: Buffer.from(`f/${String(i).padStart(5, '0')}`), mtime: T }, Buffer.alloc(0))
  await z.finish()
  await f.commit()
  const r = await ZipReader.open(path.join(dir, 'many.zip'))
  t.equal(r.entries.length, 70_000)
  await r.close()
  t.match(execFileSync('unzip', ['-t', '-q', path.join(dir, 'many.zip')], { encoding: 'utf8', maxBuffer: 1 << 26 }), /No errors detected/)
})

t.test('the writer only hands the sink buffers it may reuse afterwards', async (t) => {
  const seen: Buffer[] = []
  const sink: ZipSink = { write: async (b) => void seen.push(Buffer.from(b)) }
  const z = new ZipWriter(sink, { bufferSize: 64 })
  const data = Buffer.from('x'.repeat(100))
  await z.addFile({ name: Buffer.from('a.mp3'), mtime: T }, data)
  data.fill(0) // the caller reuses its buffer at once
  await z.addFile({ name: Buffer.from('b.mp3'), mtime: T }, Buffer.from('y'.repeat(10)))
  await z.finish()
  t.ok(Buffer.concat(seen).includes(Buffer.from('x'.repeat(100))), 'member bytes were copied or written before reuse')
})

t.test('addFileFrom reads a member straight into the output block and gives the same bytes as addFile', async (t) => {
  const dir = t.testdir()
  const members: [string, Buffer][] = [['a/page.html', text], ['a/song.mp3', noise], ['a/zero.txt', Buffer.alloc(0)], ['a/tiny.txt', Buffer.from('x')]]
  const build2 = async (file: string, from: boolean, seen: (number | undefined)[] = []) => {
    const f = await AtomicFile.open(file)
    const z = new ZipWriter(f, { level: 1, bufferSize: 16 << 10 }) // noise (50 KB) does not fit the block
    for (const [name, data] of members) {
      const meta = { name: Buffer.from(name), mtime: T }
      if (!from) await z.addFile(meta, data)
      else {
        await z.addFileFrom(meta, data.length, (into) => {
          seen.push(into?.length)
          if (!into) return Buffer.from(data)
          data.copy(into)
          return into
        })
      }
    }
    // a reader that ignores the block it is offered: still the same member
    const other = Buffer.from('read elsewhere')
    if (from) await z.addFileFrom({ name: Buffer.from('b/other.txt'), mtime: T }, other.length, () => Buffer.from(other))
    else await z.addFile({ name: Buffer.from('b/other.txt'), mtime: T }, other)
    await z.finish()
    return f.commit()
  }
  const seen: (number | undefined)[] = []
  const a = await build2(path.join(dir, 'a.zip'), false)
  const b = await build2(path.join(dir, 'b.zip'), true, seen)
  t.equal(b.sha256, a.sha256, 'byte-identical archives')
  t.same(seen, [text.length, undefined, 0, 1], 'a view of the block where header and bytes fit, none for a member bigger than the block')
  t.match(execFileSync('unzip', ['-t', path.join(dir, 'b.zip')], { encoding: 'utf8' }), /No errors detected/)
  const z = await ZipReader.open(path.join(dir, 'b.zip'))
  t.teardown(() => z.close())
  const by = Object.fromEntries(z.entries.map((e) => [e.name, e]))
  t.equal(by['a/page.html'].method, 8, 'deflated in place')
  t.same(await z.read(by['a/page.html']), text)
  t.same(await z.read(by['a/song.mp3']), noise)
})

t.test('the reader refuses damaged archives with a ZipFormatError, and a bit flip fails the member check', async (t) => {
  const dir = t.testdir()
  await build(path.join(dir, 'a.zip'))
  const good = readFileSync(path.join(dir, 'a.zip'))
  await fsp.writeFile(path.join(dir, 'trunc.zip'), good.subarray(0, good.length - 30))
  await t.rejects(ZipReader.open(path.join(dir, 'trunc.zip')), { code: 'EZIPFORMAT' })
  await fsp.writeFile(path.join(dir, 'junk.zip'), Buffer.from('not a zip at all'))
  await t.rejects(ZipReader.open(path.join(dir, 'junk.zip')), { code: 'EZIPFORMAT' })
  const flipped = Buffer.from(good)
  const z0 = await ZipReader.open(path.join(dir, 'a.zip'))
  const song = z0.entries.find((e) => e.name === 'd/song.mp3')!
  const at = (await z0.dataOffset(song)) + 100
  await z0.close()
  flipped[at] ^= 1
  await fsp.writeFile(path.join(dir, 'flip.zip'), flipped)
  const z = await ZipReader.open(path.join(dir, 'flip.zip'))
  t.teardown(() => z.close())
  await t.rejects(z.hash(z.entries.find((e) => e.name === 'd/song.mp3')!), { message: /CRC-32 mismatch/ })
})
