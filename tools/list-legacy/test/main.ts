import t from 'tap'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'

type Rec = Record<string, any>
const units = (recs: Rec[]) => recs.filter((r) => r.type === 'unit')

t.test('each top-level folder of $CLARA/LARA_legacy is a unit', async (t) => {
  const dir = t.testdir({ clara: { LARA_legacy: { proust_vol1: { 'page_1.html': 'p', multimedia: { 'a.mp3': 'x' } }, 'kok kaper ü': { 'i.html': 'k' } } } })
  const clara = path.join(dir, 'clara')
  const r = await runMain(main, { argv: ['--clara', clara] })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stderr, '')
  const u = units(r.records)
  t.same(u.map((x) => x.unit), ['kok kaper ü', 'proust_vol1'])
  t.same(u[1].archives, [{ name: 'legacy', sources: [{ dir: path.join(clara, 'LARA_legacy/proust_vol1'), prefix: '', restore_to: 'LARA_legacy/proust_vol1' }] }])
  t.equal(u[1].domain, 'legacy_zips')
  t.match(u[1].metadata, { name: 'proust_vol1', root: 'LARA_legacy', mtime: /^\d{4}-\d\d-\d\dT/ })
  t.same(r.records.at(-1), { type: 'end', count: 2 })
  const env = await runMain(main, { env: { CLARA: clara } })
  t.equal(env.stdout, r.stdout, '$CLARA works like --clara')
})

t.test('lara_legacy (lower case) and --legacy-root', async (t) => {
  const dir = t.testdir({ clara: { lara_legacy: { a: { 'x.html': 'x' } } }, elsewhere: { b: { 'y.html': 'y' } } })
  const clara = path.join(dir, 'clara')
  const low = units((await runMain(main, { argv: ['--clara', clara] })).records)
  t.match(low, [{ unit: 'a', archives: [{ sources: [{ restore_to: 'lara_legacy/a' }] }], metadata: { root: 'lara_legacy' } }])
  const out = units((await runMain(main, { argv: ['--legacy-root', path.join(dir, 'elsewhere')] })).records)
  t.match(out, [{ unit: 'b', archives: [{ sources: [{ dir: path.join(dir, 'elsewhere/b'), restore_to: 'LARA_legacy/b' }] }] }], 'outside the install: restored to LARA_legacy')
  const inside = units((await runMain(main, { argv: ['--clara', clara, '--legacy-root', path.join(clara, 'lara_legacy')] })).records)
  t.match(inside, [{ archives: [{ sources: [{ restore_to: 'lara_legacy/a' }] }] }])
})

t.test('both spellings: both listed, clashing names kept apart', async (t) => {
  const dir = t.testdir({ clara: { LARA_legacy: { a: { '1': '1' } }, lara_legacy: { a: { '2': '2' }, b: { '3': '3' } } } })
  const u = units((await runMain(main, { argv: ['--clara', path.join(dir, 'clara')] })).records)
  t.same(u.map((x) => [x.unit, x.archives[0].sources[0].restore_to]), [['a', 'LARA_legacy/a'], ['lara_legacy-a', 'lara_legacy/a'], ['b', 'lara_legacy/b']])
})

t.test('loose top-level files share one unit; no legacy root lists nothing', async (t) => {
  const dir = t.testdir({ clara: { LARA_legacy: { 'README.txt': 'r', item: { 'p.html': 'p' } } }, bare: {} })
  const legacy = path.join(dir, 'clara', 'LARA_legacy')
  mkdirSync(path.join(legacy, 'empty'))
  symlinkSync('item', path.join(legacy, 'link'))
  const u = units((await runMain(main, { argv: ['--clara', path.join(dir, 'clara')] })).records)
  t.same(u.map((x) => x.unit), ['empty', 'item', '_loose_files'])
  t.same(u[2].archives[0].sources, [
    { file: path.join(legacy, 'README.txt'), path: 'README.txt', restore_to: 'LARA_legacy/README.txt' },
    { file: path.join(legacy, 'link'), path: 'link', restore_to: 'LARA_legacy/link' },
  ])
  const none = await runMain(main, { argv: ['--clara', path.join(dir, 'bare')] })
  t.equal(none.code, 0)
  t.same(none.records, [{ type: 'end', count: 0 }])
  t.match(none.stderr, /no legacy root/)
})

t.test('usage errors and --help', async (t) => {
  const dir = t.testdir({})
  for (const argv of [[], ['--clara', path.join(dir, 'nope')], ['--legacy-root', path.join(dir, 'nope')]]) {
    const r = await runMain(main, { argv, env: {} })
    t.equal(r.code, 2, argv.join(' '))
    t.equal(r.stdout, '')
  }
  const h = await runMain(main, { argv: ['--help'] })
  t.equal(h.code, 0)
  t.match(h.stdout, /--legacy-root/)
})

t.test('--only and --skip by unit name', async (t) => {
  const dir = t.testdir({ clara: { LARA_legacy: { a: { '1': '1' }, b: { '2': '2' }, c: { '3': '3' } } } })
  const names = async (argv: string[]) => units((await runMain(main, { argv: ['--clara', path.join(dir, 'clara'), ...argv] })).records).map((u) => u.unit)
  t.same(await names(['--only', 'a,c']), ['a', 'c'])
  t.same(await names(['--skip', 'b']), ['a', 'c'])
  t.same(await names(['--only', '37']), [], 'project ids select no legacy item')
  t.same(await names(['--text-types', 'normal']), ['a', 'b', 'c'], '--text-types is accepted and ignored')
})

t.test('the README shows the --help text verbatim', async (t) => {
  const { readFileSync } = await import('node:fs')
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const r = await runMain(main, { argv: ['--help'] })
  t.ok(readme.includes(r.stdout.replace(/\n$/, '')), 'README Usage block = --help')
})

t.test('a folder whose name is not UTF-8 is a unit by its bytes; such a loose file is a source by its bytes beside the UTF-8 ones, exit 0', async (t) => {
  const dir = t.testdir({ clara: { LARA_legacy: { plain: { 'a.txt': 'a' } } } })
  const legacy = path.join(dir, 'clara/LARA_legacy')
  const oddDir = Buffer.concat([Buffer.from(`${legacy}/caf`), Buffer.from([0xe9])])
  mkdirSync(oddDir)
  writeFileSync(Buffer.concat([oddDir, Buffer.from('/b.txt')]), 'b')
  const ok = await runMain(main, { argv: ['--clara', path.join(dir, 'clara')] })
  t.equal(ok.code, 0)
  const odd = ok.records.find((r) => r.type === 'unit' && String(r.unit).startsWith('caf_~')) as any
  t.ok(odd, 'a unit named by the text with _ and a hash of the bytes')
  t.same(Buffer.from(odd.archives[0].sources[0].dir_b64, 'base64'), oddDir, 'dir_b64: the exact path')
  t.same(Buffer.from(odd.archives[0].sources[0].restore_to_b64, 'base64'), Buffer.concat([Buffer.from('LARA_legacy/caf'), Buffer.from([0xe9])]), 'restore_to_b64: the exact target')
  t.equal(odd.metadata.name_b64, Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64'))
  writeFileSync(path.join(legacy, 'loose.txt'), 'd')
  const before = (await runMain(main, { argv: ['--clara', path.join(dir, 'clara')] })).records.find((r: any) => r.unit === '_loose_files') as any
  t.same(before.metadata.files, ['loose.txt'])
  t.notOk('files_b64' in before.metadata, 'UTF-8 names only: the record as it always was')
  const looseName = Buffer.concat([Buffer.from('loose'), Buffer.from([0xff])])
  writeFileSync(Buffer.concat([Buffer.from(`${legacy}/`), looseName]), 'c')
  const more = await runMain(main, { argv: ['--clara', path.join(dir, 'clara')] })
  t.equal(more.code, 0, 'exit 0: nothing left out')
  t.equal(more.records.filter((r) => r.type === 'error').length, 0)
  const loose = more.records.find((r: any) => r.unit === '_loose_files') as any
  t.same(loose.archives[0].sources, [
    { file: path.join(legacy, 'loose.txt'), path: 'loose.txt', restore_to: 'LARA_legacy/loose.txt' },
    { file_b64: Buffer.concat([Buffer.from(`${legacy}/`), looseName]).toString('base64'), path_b64: looseName.toString('base64'), restore_to_b64: Buffer.concat([Buffer.from('LARA_legacy/'), looseName]).toString('base64') },
  ], 'the UTF-8 file as before, the other by its exact bytes')
  t.same(loose.archives[0].sources[0], before.archives[0].sources[0], 'the UTF-8 source unchanged')
  t.same(loose.metadata.files, ['loose.txt', 'loose\ufffd'])
  t.same(loose.metadata.files_b64, [looseName.toString('base64')])
  t.equal(more.records.filter((r) => r.type === 'unit').length, 3, 'the folders are still units')
})
