/**
 * ZipSync against ZipReader on archives made by Info-ZIP `zip`: the same entries and contents
 * from a buffer and from a file; and the same refusals: a damaged member, a member that yields
 * more than it declares, a truncated archive.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { ZipReader } from '@clara/shared/zip-reader'
import { ZipSync } from '@clara/shared/zip-sync'
import { ZipFormatError } from '@clara/shared/zip-directory'

function makeZip(dir: string): string {
  const src = path.join(dir, 'src')
  mkdirSync(path.join(src, 'sub', 'empty'), { recursive: true })
  writeFileSync(path.join(src, 'page.html'), '<p>hello</p>\n'.repeat(5000))
  writeFileSync(path.join(src, 'sub', 'a.mp3'), Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) % 251)))
  writeFileSync(path.join(src, 'empty.txt'), '')
  symlinkSync('page.html', path.join(src, 'link'))
  const zip = path.join(dir, 'a.zip')
  execFileSync('zip', ['-q', '-r', '-y', '-X', '-n', '.mp3', zip, 'page.html', 'sub', 'empty.txt', 'link'], { cwd: src })
  return zip
}

t.test('the same entries and contents as ZipReader, from a buffer and from a file', async (t) => {
  const zip = makeZip(t.testdir({}))
  const r = await ZipReader.open(zip)
  const fromBuf = ZipSync.fromBuffer(readFileSync(zip))
  const fromFile = ZipSync.open(zip)
  t.same(fromBuf.entries, r.entries)
  t.same(fromFile.entries, r.entries)
  const kinds = Object.fromEntries(r.entries.map((e) => [e.name, `${e.kind}:${e.method}`]))
  t.match(kinds, { 'page.html': 'file:8', 'sub/a.mp3': 'file:0', 'empty.txt': 'file:0', link: 'symlink:0', 'sub/empty/': 'dir:0' }, 'deflated, stored, empty, link, folder')
  for (const e of r.entries) {
    const want = await r.read(e)
    t.ok(fromBuf.content(e).equals(want), `${e.name} from a buffer`)
    t.ok(fromFile.content(e).equals(want), `${e.name} from a file`)
    t.ok(fromBuf.fits(e))
  }
  fromFile.close()
  await r.close()
})

t.test('a damaged member, a lying size and a truncated archive throw ZipFormatError', async (t) => {
  const zip = makeZip(t.testdir({}))
  const buf = readFileSync(zip)
  const z = ZipSync.fromBuffer(buf)
  const page = z.entries.find((e) => e.name.endsWith('page.html'))!
  const mp3 = z.entries.find((e) => e.name.endsWith('a.mp3'))!

  const bad = Buffer.from(buf)
  const at = ZipSync.fromBuffer(bad).raw(mp3).byteOffset - bad.byteOffset + 100
  bad[at] ^= 0xff
  t.throws(() => ZipSync.fromBuffer(bad).content(mp3), /CRC-32 mismatch/, 'a flipped byte in a stored member')

  const lie = { ...page, size: 1000 }
  t.throws(() => z.content(lie), /more data than its declared size 1000/, 'inflate stops past the declared size')
  const short = { ...page, size: page.size + 5 }
  t.throws(() => z.content(short), /bytes, declared/, 'less data than declared')
  t.throws(() => z.content({ ...page, method: 12 }), /unsupported method 12/)

  t.throws(() => ZipSync.fromBuffer(buf.subarray(0, buf.length - 30)), /no end of central directory record/, 'truncated: no end record')
  t.throws(() => ZipSync.fromBuffer(buf.subarray(200)), /lies beyond the end of the file/, 'cut at the front: the directory lies beyond the file')
  t.ok(new ZipFormatError('x').code === 'EZIPFORMAT')
  t.throws(() => z.content({ ...page, localOffset: page.localOffset + 1 }), /bad local header/)
})
