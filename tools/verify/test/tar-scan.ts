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
    const name = e.header.name.replace(/\/$/, '')
    const link = e.header.linkname ?? ''
    out.push({ name, nameBytes: Buffer.from(name), kind, size, ...(kind === 'file' ? { sha256: h.digest('hex') } : {}), ...(kind === 'symlink' ? { target: link, targetBytes: Buffer.from(link) } : {}) })
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
    { name: unsplittable, nameBytes: Buffer.from(unsplittable), kind: 'file', size: 13, sha256: sha('gnu long name') },
    { name: 'sl', nameBytes: Buffer.from('sl'), kind: 'symlink', size: 0, target: 't'.repeat(150), targetBytes: Buffer.from('t'.repeat(150)) },
  ])
})

t.test('names and link targets that are not UTF-8 keep their bytes (ustar fields, GNU long names, a pax path and linkpath)', async (t) => {
  const dir = t.testdir({ src: {} })
  const src = Buffer.from(path.join(dir, 'src'))
  const at = (name: Buffer) => Buffer.concat([src, Buffer.from('/'), name])
  const ff = Buffer.from('a\xff.mp3', 'latin1')
  const fe = Buffer.from('a\xfe.mp3', 'latin1')
  const long = Buffer.concat([Buffer.from('x'.repeat(120)), Buffer.from('\xff.mp3', 'latin1')])
  const target = Buffer.from('../\xff\xfe-target', 'latin1')
  await fsp.writeFile(at(ff), 'ff')
  await fsp.writeFile(at(fe), 'fe')
  await fsp.writeFile(at(long), 'long')
  await fsp.symlink(target, at(Buffer.from('l')))
  const file = path.join(dir, 'g.tar')
  execFileSync('tar', ['--format=gnu', '--sort=name', '-cf', file, '-C', src.toString(), '.'])
  const s = scan(await fsp.readFile(file), 333)
  t.equal(s.error, null)
  const got = s.members.filter((m) => m.kind !== 'dir').map((m) => [m.nameBytes.toString('latin1'), m.sha256 ?? m.targetBytes?.toString('latin1')])
  t.same(got, [['./a\xfe.mp3', sha('fe')], ['./a\xff.mp3', sha('ff')], ['./l', target.toString('latin1')], [`./${long.toString('latin1')}`, sha('long')]], 'GNU tar: each name and the target byte for byte')
  t.not(s.members[1].name, s.members[2].name, 'the two names read apart in messages too')

  // a pax header as clara-shard writes one for such a name and target: raw bytes after `path=` and `linkpath=`
  const rec = (key: string, value: Buffer) => {
    const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')])
    let len = body.length + String(body.length).length
    if (String(len).length > String(body.length).length) len++
    return Buffer.concat([Buffer.from(String(len)), body])
  }
  const pax = Buffer.concat([rec('path', ff), rec('linkpath', target)])
  const plain = await packed([[{ name: 'PaxHeader', type: 'symlink', linkname: 'PaxHeader', mtime }, undefined]])
  const header = (type: string, size: number) => {
    const h = Buffer.from(plain.subarray(0, 512))
    h[156] = type.charCodeAt(0)
    h.write(size.toString(8).padStart(11, '0') + ' ', 124, 'latin1')
    h.fill(0x20, 148, 156)
    let sum = 0
    for (const b of h) sum += b
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
    return h
  }
  const body = Buffer.concat([pax, Buffer.alloc((512 - (pax.length % 512)) % 512)])
  const tarBytes = Buffer.concat([header('x', pax.length), body, header('2', 0), Buffer.alloc(1024)])
  const p = scan(tarBytes, 100)
  t.equal(p.error, null)
  t.same(p.members.map((m) => [m.kind, m.nameBytes.toString('latin1'), m.targetBytes?.toString('latin1')]), [['symlink', ff.toString('latin1'), target.toString('latin1')]], 'pax: the exact bytes')
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
