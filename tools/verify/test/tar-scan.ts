/** TarScanner against tar-stream (the writer clara-shard uses) and GNU tar, fed in pieces of any size; one read pass with worker hashing. */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import tar from 'tar-stream'
import { HashPool } from '../src/hash-pool.js'
import { readPass } from '../src/read-pass.js'
import { checkTar } from '../src/tar-check.js'
import { TarScanner } from '../src/tar-scan.js'

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

async function packed(entries: [Partial<tar.Header> & { name: string }, Buffer | string | undefined][]): Promise<Buffer> {
  const pack = tar.pack()
  for (const [h, body] of entries) {
    if (body === undefined) pack.entry(h)
    else pack.entry(h, body)
  }
  pack.finalize()
  const chunks: Buffer[] = []
  for await (const c of pack) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

/** What tar-stream reads from the same bytes. */
async function reference(buf: Buffer) {
  const ex = tar.extract()
  ex.end(buf)
  const out = []
  for await (const e of ex) {
    const h = createHash('sha256')
    let size = 0
    for await (const c of e) {
      h.update(c as Buffer)
      size += (c as Buffer).length
    }
    const kind = ({ file: 'file', directory: 'dir', symlink: 'symlink' } as Record<string, string>)[e.header.type] ?? 'other'
    out.push({ name: e.header.name.replace(/\/$/, ''), kind, size, ...(kind === 'file' ? { sha256: h.digest('hex') } : {}), ...(kind === 'symlink' ? { target: e.header.linkname } : {}) })
  }
  return out
}

function scan(buf: Buffer, piece: number) {
  const s = new TarScanner()
  for (let off = 0; off < buf.length; off += piece) s.feed(buf.subarray(off, off + piece))
  s.end()
  return s
}

const long = 'a/' + 'deep/'.repeat(30) + 'file.mp3'
const unsplittable = 'x'.repeat(180) + '.mp3'
const mtime = new Date('2024-01-01T00:00:00Z')

t.test('tar-stream archives: ustar prefix, pax path and linkpath, non-ASCII, empty and block-sized files', async (t) => {
  const buf = await packed([
    [{ name: 'dir', type: 'directory', mtime }, undefined],
    [{ name: long, mtime }, Buffer.alloc(70000, 3)],
    [{ name: unsplittable, mtime }, 'pax named'],
    [{ name: 'français/ñandú 日本.txt', mtime }, 'utf8'],
    [{ name: 'empty', mtime }, ''],
    [{ name: 'block', mtime }, Buffer.alloc(512, 1)],
    [{ name: 'link', type: 'symlink', linkname: 'y/'.repeat(80) + 'target', mtime }, undefined],
  ])
  const want = await reference(buf)
  t.equal(want.length, 7)
  for (const piece of [1, 7, 511, 512, 4096, buf.length]) {
    const s = scan(buf, piece)
    t.equal(s.error, null, `pieces of ${piece}`)
    t.same(s.members, want, `pieces of ${piece}: as tar-stream reads it`)
  }
  const file = path.join(t.testdir(), 'a.tar')
  await fsp.writeFile(file, buf)
  const pool = new HashPool(2)
  t.teardown(() => pool.close())
  const r = await checkTar(file, { gzip: false, pool })
  t.same(r.members, want, 'member hashes on a worker thread')
  t.equal(r.sha256, sha(buf))
})

t.test('GNU tar long names (L and K headers)', async (t) => {
  const dir = t.testdir({ src: {} })
  const src = path.join(dir, 'src')
  await fsp.writeFile(path.join(src, unsplittable), 'gnu long name')
  await fsp.symlink('t'.repeat(150), path.join(src, 'sl'))
  const file = path.join(dir, 'g.tar')
  execFileSync('tar', ['--format=gnu', '-cf', file, '-C', src, unsplittable, 'sl'])
  const buf = await fsp.readFile(file)
  const s = scan(buf, 1000)
  t.equal(s.error, null)
  t.same(s.members, [
    { name: unsplittable, kind: 'file', size: 13, sha256: sha('gnu long name') },
    { name: 'sl', kind: 'symlink', size: 0, target: 't'.repeat(150) },
  ])
})

t.test('damage: a bad header checksum, a cut inside a member', async (t) => {
  const buf = await packed([[{ name: 'a', mtime }, Buffer.alloc(3000, 1)], [{ name: 'b', mtime }, 'bee']])
  const bad = Buffer.from(buf)
  bad[3584 + 10] ^= 0x01 // the name of the second header
  t.match(scan(bad, 4096).error, /bad checksum\) after 1 member/)
  t.match(scan(buf.subarray(0, 2000), 4096).error, /unexpected end of data inside a/)
})

t.test('one read pass, hashed on worker threads, equals a plain sha256', async (t) => {
  const dir = t.testdir()
  const big = Buffer.alloc(5_000_123)
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24
  const file = path.join(dir, 'big.bin')
  await fsp.writeFile(file, big)
  const pool = new HashPool(2)
  t.teardown(() => pool.close())
  let seen = 0
  const both = await Promise.all([readPass(file, pool, (c, pos) => {
    t.equal(pos, seen)
    seen += c.length
  }), readPass(file, pool), readPass(file, null)])
  for (const r of both) t.same(r, { sha256: sha(big), size: big.length })
  t.equal(seen, big.length)
  const tarFile = path.join(dir, 'a.tar')
  await fsp.writeFile(tarFile, await packed([[{ name: 'big', mtime }, big]]))
  const r = await checkTar(tarFile, { gzip: false, pool })
  t.same(r.problems, [])
  t.equal(r.members[0].sha256, sha(big))
  t.equal(r.sha256, sha(await fsp.readFile(tarFile)))
  await t.rejects(readPass(path.join(dir, 'nope'), pool), { code: 'ENOENT' })
})
