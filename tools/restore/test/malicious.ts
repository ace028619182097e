/**
 * Malicious archives: each bad unit is refused whole (nothing under its target, nothing outside
 * the new root, no stage left), and the good unit beside it is restored all the same.
 */
import { existsSync, mkdirSync, promises as fsp, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { hashFile } from '@clara/shared/hash'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { craftTar, legacyUnit, type CraftEntry, type TarMember } from './craft.js'

const HOST = '/tmp/clara-restore-test-escape'

async function shards(run: string, list: [string, TarMember[], boolean?][]): Promise<void> {
  const dir = path.join(run, 'audio_cache', 'archives')
  mkdirSync(dir, { recursive: true })
  const entries = []
  for (const [name, members, gz] of list) {
    const file = `${name}.${gz ? 'tgz' : 'tar'}`
    await craftTar(path.join(dir, file), members, gz)
    entries.push({ name: file, group: 'tts_audio_part', path: `archives/${file}`, sha256: (await hashFile(path.join(dir, file))).sha256, compression: gz ? 'gzip' : 'none' })
  }
  writeFileSync(path.join(run, 'audio_cache', 'index.json'), JSON.stringify({ groups: { tts_audio_part: { restore_to: 'audio/tts_repository_orm' } }, shards: entries }))
}

/** Every entry under `dir` whose name marks a restore stage. */
async function stages(dir: string): Promise<string[]> {
  const all = (await fsp.readdir(dir, { recursive: true })) as string[]
  return all.filter((p) => /\.clara-restore-[0-9a-f]+\.(tmp|old)$/.test(p))
}

t.test('zips: zip-slip, absolute names, links out, paths through links, bombs', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  const big = 'x'.repeat(200_000)
  await legacyUnit(run, 'good', [{ name: 'page_1.html', data: '<p>ok</p>' }, { name: 'media/', kind: 'dir' }, { name: 'media/a.mp3', data: 'mp3' }, { name: 'self', kind: 'symlink', data: 'page_1.html' }])
  const cases: [string, CraftEntry[], RegExp][] = [
    ['slip', [{ name: 'ok.txt', data: 'fine' }, { name: '../../escape.txt', data: 'pwned' }], /'\.\.' component/],
    ['absolute', [{ name: 'ok.txt', data: 'fine' }, { name: `${HOST}/abs.txt`, data: 'pwned' }], /absolute path/],
    ['backslash', [{ name: '..\\..\\win.txt', data: 'pwned' }], /backslash/],
    ['link-root', [{ name: 'l', kind: 'symlink', data: '/' }, { name: 'l/tmp/through.txt', data: 'pwned' }], /link to an absolute path/],
    ['link-up', [{ name: 'up', kind: 'symlink', data: '../../..' }], /link points out of the target/],
    ['through-link', [{ name: 'd', kind: 'symlink', data: 'sub' }, { name: 'sub/', kind: 'dir' }, { name: 'd/x.txt', data: 'x' }], /passes through the symlink/],
    ['ratio-bomb', [{ name: 'bomb.bin', data: big, deflate: true, declaredSize: 2 ** 31 }], /decompression bomb|more than 1100:1/],
    ['overlap-bomb', [{ name: 'a.bin', data: big, deflate: true }, { name: 'b.bin', sameDataAs: 0 }, { name: 'c.bin', sameDataAs: 0 }], /decompression bomb/],
    ['overlap', [{ name: 'a.txt', data: 'abc' }, { name: 'b.txt', sameDataAs: 0 }], /members overlap/],
    ['lying-size', [{ name: 'grows.bin', data: big, deflate: true, declaredSize: 100 }], /more data than its declared size/],
  ]
  for (const [name, entries] of cases) await legacyUnit(run, name, entries)
  const to = path.join(base, 'new')
  const r = await runMain(main, { argv: [run, '--to', to, '--domains', 'legacy', '--quiet'] })
  t.equal(r.code, 1, 'exit 1: some units refused')
  const refused = new Map(r.records.filter((x) => x.type === 'refused').map((x: any) => [x.unit as string, x.reason as string]))
  for (const [name, , why] of cases) {
    t.match(refused.get(name), why, `${name}: refused (${refused.get(name)})`)
    t.notOk(existsSync(path.join(to, 'LARA_legacy', name)), `${name}: nothing under its target`)
  }
  t.ok(r.records.some((x) => x.type === 'restored' && x.unit === 'good'), 'the good unit is restored')
  t.equal(await fsp.readFile(path.join(to, 'LARA_legacy/good/media/a.mp3'), 'utf8'), 'mp3')
  t.equal(await fsp.readlink(path.join(to, 'LARA_legacy/good/self')), 'page_1.html', 'an inside link is kept')
  for (const f of [path.join(base, 'escape.txt'), path.join(to, '..', 'escape.txt'), `${HOST}/abs.txt`, '/tmp/through.txt', path.join(base, 'win.txt')]) t.notOk(existsSync(f), `nothing at ${f}`)
  t.same(await stages(to), [], 'no stage left behind')
  const report = JSON.parse(await fsp.readFile(path.join(to, 'restore_report.json'), 'utf8'))
  t.equal(report.units.refused.length, cases.length, 'the report lists every refused unit')
})

t.test('tars: ../, absolute, symlink then a file through it, hard links out, devices, over budget', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  await shards(run, [
    ['good', [{ name: 'google/en-GB/v/a.mp3', data: 'A' }, { name: 'google/en-GB/v/b.mp3', type: 'link', linkname: 'google/en-GB/v/a.mp3' }], true],
    ['slip', [{ name: 'ok.mp3', data: 'x' }, { name: '../x', data: 'pwned' }]],
    ['absolute', [{ name: `${HOST}/etc/x`, data: 'pwned' }]],
    ['etc', [{ name: '/etc/clara-restore-test-x', data: 'pwned' }]],
    ['link-root', [{ name: 'l', type: 'symlink', linkname: '/' }, { name: 'l/etc/clara-restore-through', data: 'pwned' }]],
    ['hardlink-passwd', [{ name: 'pw', type: 'link', linkname: '/etc/passwd' }]],
    ['hardlink-later', [{ name: 'a', type: 'link', linkname: 'b' }, { name: 'b', data: 'x' }]],
    ['fifo', [{ name: 'f', type: 'fifo' }]],
    ['too-big', [{ name: 'big.mp3', data: 'y'.repeat(5000) }]],
  ])
  const to = path.join(base, 'new')
  const r = await runMain(main, { argv: [run, '--to', to, '--domains', 'audio', '--max-unit-bytes', '4096', '--quiet'] })
  t.equal(r.code, 1)
  const refused = new Map(r.records.filter((x) => x.type === 'refused').map((x: any) => [(x.unit as string).replace(/\.(tar|tgz)$/, ''), x.reason as string]))
  const want: Record<string, RegExp> = {
    slip: /'\.\.'/, absolute: /absolute path/, etc: /absolute path/, 'link-root': /link to an absolute path/,
    'hardlink-passwd': /hard link target: absolute|not a file unpacked before/, 'hardlink-later': /not a file unpacked before it/, fifo: /a fifo member/, 'too-big': /expands to more than 4096 bytes/,
  }
  for (const [name, why] of Object.entries(want)) t.match(refused.get(name), why, `${name}: refused`)
  t.equal(refused.size, Object.keys(want).length, 'only the bad shards are refused')
  const root = path.join(to, 'audio/tts_repository_orm')
  t.same((await fsp.readdir(root, { recursive: true })).sort(), ['google', 'google/en-GB', 'google/en-GB/v', 'google/en-GB/v/a.mp3', 'google/en-GB/v/b.mp3'], 'only the good shard landed')
  t.equal((await fsp.stat(path.join(root, 'google/en-GB/v/b.mp3'))).nlink, 2, 'an inside hard link is kept')
  for (const f of ['/etc/clara-restore-test-x', '/etc/clara-restore-through', `${HOST}/etc/x`, path.join(to, 'audio', 'x')]) t.notOk(existsSync(f), `nothing at ${f}`)
  t.same(await stages(to), [], 'no stage left behind')
})

t.test('good shards that share folders merge into one root (folder mtimes from their entries)', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  await shards(run, [
    ['p1', [{ name: 'google/', type: 'directory' }, { name: 'google/v/', type: 'directory' }, { name: 'google/v/a.mp3', data: 'A' }]],
    ['p2', [{ name: 'google/v/b.mp3', data: 'B' }, { name: 'human/x/c.mp3', data: 'C' }], true],
    ['p3', [{ name: 'google/v/d.mp3', data: 'D' }]],
  ])
  const to = path.join(base, 'new')
  const r = await runMain(main, { argv: [run, '--to', to, '--domains', 'audio', '--quiet'] })
  t.equal(r.code, 0, r.stderr)
  const root = path.join(to, 'audio/tts_repository_orm')
  t.same((await fsp.readdir(root, { recursive: true })).sort(), ['google', 'google/v', 'google/v/a.mp3', 'google/v/b.mp3', 'google/v/d.mp3', 'human', 'human/x', 'human/x/c.mp3'])
  t.equal((await fsp.stat(path.join(root, 'google/v/a.mp3'))).mtimeMs, 1704067200000, 'file mtime')
  const again = await runMain(main, { argv: [run, '--to', to, '--domains', 'audio', '--quiet'] })
  t.equal(again.records.filter((x: any) => x.already).length, 3, 'a rerun skips all three')
})
