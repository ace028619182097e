import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import tar from 'tar-stream'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { encodeHeader, type TarHeader } from '../src/tar-format.js'
import { bytes, put, readJson, scratch, sha256File } from './helpers.js'

/** The header bytes tar-stream's pack writes for an entry (the layout archives have always had). */
async function tarStreamHeader(h: TarHeader): Promise<Buffer> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c: unknown) => chunks.push(Buffer.from(c as Uint8Array)))
  const header = { name: h.name, mode: h.mode, uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(h.mtime * 1000), type: h.type, size: h.size, ...(h.linkname !== undefined ? { linkname: h.linkname as string } : {}) }
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve())
    if (h.type === 'file') pack.entry(header, Buffer.alloc(h.size), done)
    else pack.entry(header, done)
  })
  pack.finalize()
  await new Promise<void>((r) => pack.on('end', () => r()))
  const all = Buffer.concat(chunks)
  return all.subarray(0, all.length - 1024 - Math.ceil(h.size / 512) * 512)
}

t.test('headers are byte for byte what tar-stream wrote (ustar, name/prefix split, pax for long or non-ASCII names and long targets)', async (t) => {
  const base = { mode: 0o644, mtime: 1_700_000_000, type: 'file' as const, size: 5 }
  const long = Array.from({ length: 9 }, (_, i) => `dir${i}_${'x'.repeat(20)}`).join('/')
  const cases: TarHeader[] = [
    { ...base, name: 'a.mp3' },
    { ...base, name: 'x'.repeat(100) },
    { ...base, name: 'x'.repeat(101) },
    { ...base, name: `${'d'.repeat(60)}/${'f'.repeat(90)}` },
    { ...base, name: `${long}/deep.txt` },
    { ...base, name: `${'p'.repeat(150)}/${'q'.repeat(10)}/${'f'.repeat(90)}` },
    { ...base, name: 'māori/ōrite ça.mp3', size: 0 },
    { ...base, name: 'bad\ufffdname', size: 513 },
    { ...base, name: 'run.sh', mode: 0o755, mtime: 0 },
    { ...base, name: 'dir', type: 'directory', mode: 0o755, size: 0 },
    { ...base, name: 'l', type: 'symlink', size: 0, linkname: '../a.mp3' },
    { ...base, name: 'l2', type: 'symlink', size: 0, linkname: 'z'.repeat(150) },
    { ...base, name: 'ü/l3', type: 'symlink', size: 0, linkname: 'ümlaut' },
    { ...base, name: 'l4', type: 'symlink', size: 0, linkname: '' },
    { ...base, name: 'p'.repeat(990), size: 7 },
  ]
  for (const h of cases) t.same(encodeHeader(h), await tarStreamHeader(h), `${h.type} ${h.name.slice(0, 40)}… (${h.name.length})`)
  const huge = encodeHeader({ ...base, name: 'big', size: 2 ** 33 + 5 })
  t.same([...huge.subarray(124, 136)], [0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 5], 'sizes from 8 GiB on are base-256')
})

t.test('--workers 3 writes the same archives, listings and index entries as --workers 1', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  for (let i = 0; i < 400; i++) put(src, `v${i % 5}/f${String(i).padStart(4, '0')}.mp3`, bytes(i, 500 + ((i * 7919) % 6000)), 1_690_000_000 + i * 3600)
  put(src, 'v0/big.mp3', bytes(9999, 1_500_000), 1_690_000_000 + 401 * 3600)
  const shard = async (dest: string, workers: string) => {
    const r = await runMain(main, { argv: ['--dest', dest, '--domain', 'a', '--prefix', 'p', '--root', src, '--shard-size-mb', '0.25', '--workers', workers] })
    t.equal(r.code, 0, r.stderr)
    return r
  }
  await shard(path.join(dir, 'one'), '1')
  const r3 = await shard(path.join(dir, 'three'), '3')
  const one = readJson(path.join(dir, 'one', 'a', 'index.json')).shards as Record<string, unknown>[]
  const three = readJson(path.join(dir, 'three', 'a', 'index.json')).shards as Record<string, unknown>[]
  t.ok(one.length >= 6, `${one.length} shards`)
  t.same(three, one)
  t.same(r3.records.filter((x) => x.type === 'artifact').map((x) => (x as Record<string, unknown>).unit), one.map((s) => s.name), 'artifacts in shard order')
  for (const s of one) {
    for (const f of [s.path, s.members_path] as string[]) t.equal(sha256File(path.join(dir, 'three', 'a', f)), sha256File(path.join(dir, 'one', 'a', f)), f)
  }
  t.notOk(fs.readdirSync(path.join(dir, 'three', 'a', 'archives')).some((n) => n.endsWith('.tmp')), 'no temp files left behind')
})

t.test('--workers: a member that cannot be read is an error record of its shard; the other workers go on', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  for (let i = 0; i < 200; i++) put(src, `f${String(i).padStart(4, '0')}.mp3`, bytes(i, 3000), 1_690_000_000 + i * 3600)
  const r = await runMain(main, { argv: ['--dest', dir, '--domain', 'a', '--prefix', 'p', '--root', src, '--shard-size-mb', '0.1', '--workers', '2'], env: { CLARA_FAULT_INJECT: 'EACCES:f0150' } })
  t.equal(r.code, 1)
  t.match(r.records.filter((x) => x.type === 'error'), [{ item: 'f0150.mp3', code: 'EACCES', during: 'read' }])
  t.equal(readJson(path.join(dir, 'a', 'index.json')).totals.files, 199)
})
