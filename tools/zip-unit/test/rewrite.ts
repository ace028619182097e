import t from 'tap'
import { execFileSync } from 'node:child_process'
import { lstatSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { sha256 } from '@clara/shared/hash'
import { runMain } from '@clara/shared/testkit'
import { ZipReader } from '@clara/shared/zip-reader'
import { main } from '../src/main.js'
import { compileRewrites, copyTarget, expand, rewriteText } from '../src/rewrite.js'

type Rec = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const IMG = '/accounts/projects/serve_project_image/(?<iid>[^/"]+)/(?<file>[^"]+)'
const AUDIO = '(?:https?://[^/"]+)?/accounts/serve_audio_file/(?<engine>[^/"]+)/(?<l2>[^/"]+)/(?<voice>[^/"]+)/(?<file>[^"]+)'

t.test('templates expand named and numbered groups; copy targets stay inside the archive', async (t) => {
  t.equal(expand('a/${x}/${1}$$', ['m', 'one'], { x: 'X' }), 'a/X/one$')
  t.equal(expand('${v:url}/${f:url}', ['m'], { v: 'old%20norse', f: 'a%2' }), 'old norse/a%2', ':url decodes, a malformed escape is kept')
  t.equal(expand('${v}', ['m'], { v: 'old%20norse' }), 'old%20norse', 'without :url the value is raw')
  t.same(copyTarget('pages/p.html', 'multimedia/a.png'), { to: 'pages/multimedia/a.png' })
  t.match(copyTarget('p.html', '../../etc/x'), { bad: /outside/ })
  t.match(copyTarget('p.html', '/abs'), { bad: /absolute/ })
  const rws = compileRewrites([{ files: '\\.html$', pattern: IMG, replace: 'multimedia/${file}', copy: { from: '/repo/${iid}/${file}', to: 'multimedia/${file}' } }])
  const r = rewriteText('<img src="/accounts/projects/serve_project_image/P1/a.png"><img src="/accounts/projects/serve_project_image/P1/a.png">', 'p.html', rws)
  t.equal(r.text, '<img src="multimedia/a.png"><img src="multimedia/a.png">')
  t.same(r.copies.map((c) => [c.from, c.to]), [['/repo/P1/a.png', 'multimedia/a.png'], ['/repo/P1/a.png', 'multimedia/a.png']])
  t.throws(() => compileRewrites([{ files: '(', pattern: 'x', replace: '' }]), { code: 'EBADUNIT' })
})

t.test('a lookup resolves a matched value through a table; a value it lacks is left and unresolved; report leaves and lists', async (t) => {
  const rws = compileRewrites([
    {
      files: '\\.html$', pattern: 'data-x="/g/(?<id>\\d+)/"', replace: 'data-x="m/${base}"', copy: { from: '${file}', to: 'm/${base}' },
      lookup: { group: 'id', table: { 7: { file: '/repo/a/b.png', base: 'b.png' } }, missing: 'no row' },
    },
    { files: '\\.html$', pattern: 'href="/s/[^"]*"', replace: '', report: 'not in the zip' },
  ])
  const r = rewriteText('<i data-x="/g/7/"></i><i data-x="/g/8/"></i><a href="/s/x">x</a><i data-x="/g/constructor/"></i>', 'd/p.html', rws)
  t.equal(r.text, '<i data-x="m/b.png"></i><i data-x="/g/8/"></i><a href="/s/x">x</a><i data-x="/g/constructor/"></i>')
  t.same(r.copies.map((c) => [c.from, c.to, c.bad]), [['/repo/a/b.png', 'd/m/b.png', undefined], ['', '', 'no row (id 8)']])
  t.same(r.reported, [{ member: 'd/p.html', reference: 'href="/s/x"', reason: 'not in the zip' }])
})

t.test('rewrites + copies in a unit: references rewritten, media copied once, a missing one unresolved (zip still written, error record, exit 1)', async (t) => {
  const page = '<img src="/accounts/projects/serve_project_image/P1/pic.png"><audio src="https://clara.example/accounts/serve_audio_file/tts/fr/v1/s1.mp3"></audio>'
  const dir = t.testdir({
    compiled: { 'page_1.html': page, 'page_2.html': page + '<img src="/accounts/projects/serve_project_image/P1/missing.png">', 'vocab.html': page, 'notes.txt': page },
    images: { P1: { 'pic.png': Buffer.alloc(500, 1) } },
    audio: { tts: { fr: { v1: { 's1.mp3': Buffer.alloc(700, 2) } } } },
  })
  const rewrites = [
    { files: '\\.html$', pattern: IMG, replace: 'multimedia/${file}', copy: { from: `${dir}/images/\${iid}/\${file}`, to: 'multimedia/${file}' } },
    { files: '\\.html$', pattern: AUDIO, replace: 'multimedia/${file}', copy: { from: `${dir}/audio/\${engine}/\${l2}/\${voice}/\${file}`, to: 'multimedia/${file}' } },
  ]
  const unit = { type: 'unit', domain: 'compiled_exports', unit: '7', archives: [{ name: 'compiled_normal', sources: [{ dir: path.join(dir, 'compiled') }], rewrites }] }
  const other = { ...unit, unit: '8', archives: [{ name: 'compiled_normal', sources: [{ dir: path.join(dir, 'images') }] }] }
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'dest'), '--workers', '1'], input: [unit, other] as never })
  const recs = r.records as Rec[]
  t.equal(r.code, 1)
  t.same(recs.map((x) => `${x.type}:${x.unit ?? ''}`), ['artifact:7', 'error:7', 'artifact:8', 'summary:', 'end:'])
  t.match(recs[1], { during: 'zip', code: 'EUNRESOLVED', item: 'compiled_exports/7', message: /missing\.png/ })
  const zip = path.join(dir, 'dest/compiled_exports/7/compiled_normal.zip')
  t.match(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' }), /No errors/)
  const z = await ZipReader.open(zip)
  const names = z.entries.map((e) => e.name)
  t.same(names, ['multimedia/pic.png', 'multimedia/s1.mp3', 'notes.txt', 'page_1.html', 'page_2.html', 'vocab.html'])
  const by = Object.fromEntries(z.entries.map((e) => [e.name, e]))
  t.equal((await z.read(by['page_1.html'])).toString(), '<img src="multimedia/pic.png"><audio src="multimedia/s1.mp3"></audio>')
  t.equal((await z.read(by['notes.txt'])).toString(), page, 'files not matching `files` are left alone')
  t.same(await z.read(by['multimedia/s1.mp3']), Buffer.alloc(700, 2))
  await z.close()
  const md = JSON.parse(readFileSync(path.join(dir, 'dest/compiled_exports/7/metadata.json'), 'utf8'))
  t.equal(md.rewritten.length, 3)
  t.same(md.rewritten.find((x: Rec) => x.path === 'vocab.html'), { archive: 'compiled_normal', path: 'vocab.html', sha256_before: sha256(page), sha256_after: sha256('<img src="multimedia/pic.png"><audio src="multimedia/s1.mp3"></audio>') })
  t.same(md.unresolved, [{ archive: 'compiled_normal', member: 'page_2.html', reference: '/accounts/projects/serve_project_image/P1/missing.png', from: `${dir}/images/P1/missing.png`, to: 'multimedia/missing.png', reason: 'missing' }])
  const again = await runMain(main, { argv: ['--dest', path.join(dir, 'dest'), '--workers', '1'], input: [unit] as never })
  t.equal(again.code, 1, 'a unit with unresolved references is not kept by --existing skip: the error is reported again')
})

t.test('rewritten members beyond the memory budget are re-read, with the same result', async (t) => {
  const dir = t.testdir({ c: { 'a.html': 'X'.repeat(1000) + 'ref', 'b.html': 'ref ref' } })
  const unit = { type: 'unit', domain: 'd', unit: 'u', archives: [{ name: 'z', sources: [{ dir: path.join(dir, 'c') }], rewrites: [{ files: 'html$', pattern: 'ref', replace: 'REF' }] }] }
  const kept = await runMain(main, { argv: ['--dry-run', '--workers', '1'], input: [unit] as never })
  const reread = await runMain(main, { argv: ['--dry-run', '--workers', '1'], input: [unit] as never, env: { CLARA_ZIP_REWRITE_BUDGET: '1' } })
  t.equal(reread.code, 0, reread.stderr)
  t.equal((reread.records[0] as Rec).sha256, (kept.records[0] as Rec).sha256)
})

t.test('--link-dest links an unchanged unit with rewrites without reading it; a changed copy source rebuilds it', async (t) => {
  const page = '<img src="/accounts/projects/serve_project_image/P1/pic.png">'
  const dir = t.testdir({ compiled: { 'page_1.html': page, 'notes.txt': 'n' }, images: { P1: { 'pic.png': Buffer.alloc(500, 1) } } })
  const rewrites = [{ files: '\\.html$', pattern: IMG, replace: 'multimedia/${file}', copy: { from: `${dir}/images/\${iid}/\${file}`, to: 'multimedia/${file}' } }]
  const unit = { type: 'unit', domain: 'compiled_exports', unit: '7', archives: [{ name: 'compiled_normal', sources: [{ dir: path.join(dir, 'compiled') }], rewrites }] }
  const run = (dest: string, argv: string[] = [], env: Record<string, string> = {}) =>
    runMain(main, { argv: ['--dest', path.join(dir, dest), '--workers', '1', ...argv], input: [unit] as never, env })
  const first = await run('r1')
  t.equal(first.code, 0, first.stderr)
  const md = JSON.parse(readFileSync(path.join(dir, 'r1/compiled_exports/7/metadata.json'), 'utf8'))
  t.same(md.copied, [{ archive: 'compiled_normal', path: 'multimedia/pic.png', from: `${dir}/images/P1/pic.png` }])
  const zip = (run: string) => path.join(dir, run, 'compiled_exports/7/compiled_normal.zip')
  // every read of the page fails: only a rerun that reads nothing can succeed
  const noRead = { CLARA_FAULT_INJECT: 'EIO@read:page_1.html,EIO@read:pic.png' }
  const linked = await run('r2', ['--link-dest', path.join(dir, 'r1')], noRead)
  t.equal(linked.code, 0, linked.stderr)
  t.match(linked.records[0], { type: 'artifact', reused: true })
  t.equal(lstatSync(zip('r2')).ino, lstatSync(zip('r1')).ino, 'hard link')
  // without the record of copies (older metadata), the full plan decides, reading the page
  const old = { ...md }
  delete old.copied
  writeFileSync(path.join(dir, 'r1/compiled_exports/7/metadata.json'), JSON.stringify(old))
  const oldMd = await run('r3', ['--link-dest', path.join(dir, 'r1')])
  t.match(oldMd.records[0], { type: 'artifact', reused: true })
  t.equal(lstatSync(zip('r3')).ino, lstatSync(zip('r1')).ino)
  t.equal((await run('r3b', ['--link-dest', path.join(dir, 'r1')], noRead)).code, 1, 'and that plan reads the page')
  writeFileSync(path.join(dir, 'r1/compiled_exports/7/metadata.json'), JSON.stringify(md))
  // the copied image changes (size and mtime): the unit is rebuilt
  writeFileSync(path.join(dir, 'images/P1/pic.png'), Buffer.alloc(600, 3))
  utimesSync(path.join(dir, 'images/P1/pic.png'), 1_700_000_000, 1_700_000_000)
  const changed = await run('r4', ['--link-dest', path.join(dir, 'r1')])
  t.equal(changed.code, 0, changed.stderr)
  t.notOk((changed.records[0] as Rec).reused)
  t.not(lstatSync(zip('r4')).ino, lstatSync(zip('r1')).ino)
  const z = await ZipReader.open(zip('r4'))
  t.same(await z.read(z.entries.find((e) => e.name === 'multimedia/pic.png')!), Buffer.alloc(600, 3))
  await z.close()
})
