import t from 'tap'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HashStream, hashFile, sha256 } from '../src/hash.js'

t.test('sha256 of buffers and strings (FIPS 180-2 vectors)', async (t) => {
  t.equal(sha256(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  t.equal(sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  t.equal(sha256(Buffer.from('abc')), sha256('abc'))
})

t.test('hashFile agrees with sha256sum, on empty and multi-chunk files', async (t) => {
  const dir = t.testdir({ 'empty.bin': '' })
  const big = path.join(dir, 'big.bin')
  writeFileSync(big, randomBytes(3 * 1024 * 1024 + 17))
  for (const f of [big, path.join(dir, 'empty.bin')]) {
    const want = execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0]
    const d = await hashFile(f)
    t.equal(d.sha256, want, path.basename(f))
  }
  t.equal((await hashFile(big)).bytes, 3 * 1024 * 1024 + 17)
  await t.rejects(hashFile(path.join(dir, 'missing')), { code: 'ENOENT' })
})

t.test('HashStream hashes what flows through it, unchanged', async (t) => {
  const dir = t.testdir()
  const f = path.join(dir, 'x.bin')
  const data = randomBytes(200_000)
  writeFileSync(f, data)
  const h = new HashStream()
  const seen: Buffer[] = []
  await pipeline(
    createReadStream(f, { highWaterMark: 4096 }),
    h,
    new Writable({
      write(c, _e, cb) {
        seen.push(c)
        cb()
      },
    }),
  )
  t.same(Buffer.concat(seen), data)
  t.same(h.digest(), { sha256: sha256(data), bytes: data.length })
})
