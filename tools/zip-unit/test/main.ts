import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, readFileSync, utimesSync } from 'node:fs'
import path from 'node:path'
import { sha256 } from '@clara/shared/hash'
import { runMain } from '@clara/shared/testkit'
import { ZipReader } from '@clara/shared/zip-reader'
import { main } from '../src/main.js'

const T = 1_650_000_003
/** A small project tree with fixed mtimes. */
function tree(t: Test, files: Record<string, unknown> = {}): string {
  const dir = t.testdir({
    proj: { 'stored_data.json': '{"a":1}\n', pages: { 'p1.html': '<p>one</p>'.repeat(50), 'Ünï — 日本.txt': 'utf8 name' }, media: { 'a.mp3': Buffer.alloc(3000, 9) }, empty: {}, ...files },
    dest: {},
  })
  execFileSync('find', [path.join(dir, 'proj'), '-exec', 'touch', '-h', '-d', `@${T}`, '{}', '+'])
  return dir
}
const unit = (dir: string, u = '1', extra: Record<string, unknown> = {}) => ({
  type: 'unit', domain: 'source_exports', unit: u,
  archives: [{ name: 'source', sources: [{ dir: path.join(dir, 'proj'), prefix: 'project_dir', restore_to: `clara_content/${u}` }], entries: [{ path: 'metadata.json', json: { id: Number(u) } }] }],
  metadata: { id: Number(u), title: `Project ${u}` },
  ...extra,
})
type Rec = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const run = async (dir: string, input: unknown, argv: string[] = [], env: Record<string, string> = {}) => {
  const workers = argv.includes('--workers') ? [] : ['--workers', '1']
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'dest'), ...workers, ...argv], input: input as never, env })
  return { ...r, records: r.records as Rec[] }
}

t.test('--help prints usage and exits 0; a missing --dest is a usage error (exit 2)', async (t) => {
  const h = await runMain(main, { argv: ['--help'] })
  t.equal(h.code, 0)
  t.match(h.stdout, /--dest/)
  const u = await runMain(main, { argv: [], input: [] })
  t.equal(u.code, 2)
  t.match(u.stderr, /--dest/)
  t.equal((await runMain(main, { argv: ['--dest', 'x', '--level', '12'], input: [] })).code, 2)
})

t.test('a unit becomes a zip + metadata.json, artifact record, summary and end; other records pass through', async (t) => {
  const dir = tree(t)
  const r = await run(dir, [{ type: 'project', id: 1 }, unit(dir), { type: 'whatever', x: 1 }])
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.map((x) => x.type), ['project', 'artifact', 'whatever', 'summary', 'end'])
  const art = r.records[1] as Record<string, unknown>
  const zip = path.join(dir, 'dest/source_exports/1/source.zip')
  t.match(art, { domain: 'source_exports', unit: '1', path: 'source_exports/1/source.zip', files: 5, sha256: sha256(readFileSync(zip)), size_bytes: lstatSync(zip).size })
  const md = JSON.parse(readFileSync(path.join(dir, 'dest/source_exports/1/metadata.json'), 'utf8'))
  t.match(md, { version: 1, domain: 'source_exports', unit: '1', id: 1, title: 'Project 1', sha256: art.sha256, size_bytes: art.size_bytes, file_count: 5, toolkit_version: String })
  t.same(md.archives[0].restore, [{ prefix: 'project_dir', to: 'clara_content/1' }])
  t.match(md.fingerprint, /^[0-9a-f]{64}$/)
  t.notOk('members' in md, 'member checksums only with --checksums')
  t.match(r.records[3], { type: 'summary', tool: 'clara-zip-unit', ok: 1, failed: 0, units: 1 })
  t.match(r.records[4], { type: 'end', count: 4 })
  t.equal(lstatSync(zip).mode & 0o777, 0o640)
})

t.test('the zip passes unzip -t and unzip restores bytes, mtimes (to the second), UTF-8 names, empty dirs', async (t) => {
  const dir = tree(t)
  t.equal((await run(dir, [unit(dir)])).code, 0)
  const zip = path.join(dir, 'dest/source_exports/1/source.zip')
  t.match(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' }), /No errors detected/)
  const out = path.join(dir, 'out')
  execFileSync('unzip', ['-q', zip, '-d', out])
  for (const rel of ['stored_data.json', 'pages/p1.html', 'pages/Ünï — 日本.txt', 'media/a.mp3']) {
    t.same(readFileSync(path.join(out, 'project_dir', rel)), readFileSync(path.join(dir, 'proj', rel)), rel)
    t.equal(lstatSync(path.join(out, 'project_dir', rel)).mtimeMs / 1000, T, `${rel} mtime`)
  }
  t.ok(lstatSync(path.join(out, 'project_dir/empty')).isDirectory())
  t.same(JSON.parse(readFileSync(path.join(out, 'metadata.json'), 'utf8')), { id: 1 })
  t.equal(lstatSync(path.join(out, 'metadata.json')).mtimeMs / 1000, T, 'an inline entry takes the newest source mtime')
})

t.test('the same input gives byte-identical zips; compression follows content', async (t) => {
  const dir = tree(t)
  const a = await run(dir, [unit(dir)])
  const b = (await runMain(main, { argv: ['--dest', path.join(dir, 'dest2'), '--workers', '1'], input: [unit(dir)] as never })) as { records: Rec[] }
  t.equal(a.records[0].sha256, b.records[0].sha256)
  t.same(readFileSync(path.join(dir, 'dest/source_exports/1/source.zip')), readFileSync(path.join(dir, 'dest2/source_exports/1/source.zip')))
  const z = await ZipReader.open(path.join(dir, 'dest/source_exports/1/source.zip'))
  const by = Object.fromEntries(z.entries.map((e) => [e.name, e]))
  await z.close()
  t.equal(by['project_dir/media/a.mp3'].method, 0, 'mp3 stored (even though it would compress)')
  t.equal(by['project_dir/pages/p1.html'].method, 8, 'html deflated')
  t.same(z.entries.map((e) => e.name), [...z.entries.map((e) => e.name)].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))), 'entries sorted')
})

t.test('--checksums lists every member with its sha256; several archives in one unit', async (t) => {
  const dir = tree(t)
  const u = unit(dir)
  u.archives.push({ name: 'second', sources: [{ file: path.join(dir, 'proj/stored_data.json'), path: 'copy/data.json' } as never], entries: [] })
  const r = await run(dir, [u], ['--checksums'])
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.filter((x) => x.type === 'artifact').map((x) => x.path), ['source_exports/1/source.zip', 'source_exports/1/second.zip'])
  const md = JSON.parse(readFileSync(path.join(dir, 'dest/source_exports/1/metadata.json'), 'utf8'))
  t.notOk('sha256' in md, 'no single sha256 for several archives')
  t.equal(md.archives.length, 2)
  t.match(md.members, [{ archive: 'source', path: 'metadata.json' }])
  t.same(md.members.find((m: { path: string }) => m.path === 'copy/data.json'), { archive: 'second', path: 'copy/data.json', size: 8, sha256: sha256('{"a":1}\n') })
})

t.test('bad NDJSON exits 3 with the line number; a missing end record exits 3', async (t) => {
  const dir = tree(t)
  const bad = await run(dir, JSON.stringify(unit(dir)) + '\n{not json\n')
  t.equal(bad.code, 3)
  t.match(bad.stderr, /stdin:2/)
  const trunc = await run(dir, JSON.stringify(unit(dir)) + '\n')
  t.equal(trunc.code, 3)
  t.match(trunc.stderr, /end record/)
  t.notOk(trunc.records.some((x) => x.type === 'end'), 'no end record of our own after a failure')
})

t.test('a unit the tool cannot act on is an error record; the others are done; exit 1', async (t) => {
  const dir = tree(t)
  const r = await run(dir, [unit(dir, '1'), { ...unit(dir, '../x') }, { type: 'unit', domain: 'd', unit: '3', archives: [] }, unit(dir, '4')])
  t.equal(r.code, 1)
  t.same(r.records.map((x) => `${x.type}:${x.unit ?? ''}`), ['artifact:1', 'error:../x', 'error:3', 'artifact:4', 'summary:', 'end:'])
  t.match(r.records[4], { ok: 2, failed: 2 })
})

t.test('--workers 2 keeps the output in input order (units on this thread and on a worker)', async (t) => {
  const dir = tree(t, { big: { 'b.txt': Buffer.alloc(2 << 20, 'z') } })
  const input = ['1', '2', '3', '4', '5'].map((u, i) => (i === 0 ? unit(dir, u) : { ...unit(dir, u), archives: [{ name: 'source', sources: [{ dir: path.join(dir, 'proj/pages') }] }] }))
  const r = await run(dir, [...input, { type: 'note', n: 1 }], ['--workers', '2'], { CLARA_ZIP_SPILL: 'eager' })
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.map((x) => x.unit ?? x.type), ['1', '2', '3', '4', '5', 'note', 'summary', 'end'])
  t.ok(existsSync(path.join(dir, 'dest/source_exports/5/metadata.json')))
})

t.test('the same unit twice is done one after the other (the second finds the first finished)', async (t) => {
  const dir = tree(t)
  for (const workers of ['1', '2']) {
    const r = await run(dir, [unit(dir, '9'), unit(dir, '9'), unit(dir, '9')], ['--workers', workers, '--existing', 'overwrite'], { CLARA_ZIP_SPILL: 'eager' })
    t.equal(r.code, 0, r.stderr)
    t.same(r.records.map((x) => x.type), ['artifact', 'artifact', 'artifact', 'summary', 'end'])
    t.equal(new Set(r.records.slice(0, 3).map((x) => x.sha256)).size, 1)
  }
})

t.test('stdout carries records only; --quiet silences stderr', async (t) => {
  const dir = tree(t)
  const r = await run(dir, [unit(dir)], ['--quiet'])
  t.equal(r.stderr, '')
  t.ok(r.records.every((x) => typeof x.type === 'string' && x.type !== '__unparsed__'))
  utimesSync(path.join(dir, 'proj'), T, T)
})

t.test('a unit marked secret is left out (a not_stored record, nothing read or written) unless secret units are stored', async (t) => {
  const dir = tree(t)
  const secret = unit(dir, '9', { secret: true })
  const r = await run(dir, [unit(dir, '1'), secret])
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.filter((x) => x.type === 'not_stored'), [{ type: 'not_stored', domain: 'source_exports', unit: '9', reason: 'a secret unit, stored only encrypted, and the run had no --encrypt-to recipient', restore_to: ['clara_content/9'] }])
  t.notOk(existsSync(path.join(dir, 'dest/source_exports/9')), 'no folder, no archive of it')
  t.ok(existsSync(path.join(dir, 'dest/source_exports/1/metadata.json')), 'the other unit is done')
  t.match(r.records.find((x) => x.type === 'summary'), { units: 1, not_stored: 1 })
  const env = await runMain(main, { argv: ['--dest', path.join(dir, 'dest'), '--workers', '1'], input: [secret] as never, env: { CLARA_SECRET_UNITS: 'store' } })
  t.equal(env.code, 0, env.stderr)
  t.match(env.records, [{ type: 'artifact', unit: '9' }], 'CLARA_SECRET_UNITS=store (clara-backup with --encrypt-to): stored, for clara-encrypt')
  const flag = await run(dir, [unit(dir, '8', { secret: true })], ['--secret-units', 'store'])
  t.match(flag.records, [{ type: 'artifact', unit: '8' }], '--secret-units store')
  const again = await run(dir, [unit(dir, '8', { secret: true })])
  t.match(again.records, [{ type: 'not_stored', unit: '8' }])
  t.notOk(existsSync(path.join(dir, 'dest/source_exports/8')), 'left out now: the copy an earlier attempt stored is removed, nothing of it stays')
  const bad = await runMain(main, { argv: ['--dest', path.join(dir, 'dest')], input: [] as never, env: { CLARA_SECRET_UNITS: 'yes' } })
  t.equal(bad.code, 2)
})
