import t from 'tap'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { realFixture, snapshot } from './real-fixture.js'
import { miniClara } from './mini-clara.js'

const dir = t.testdir()
const fx = await realFixture(dir)
t.teardown(() => fx.drop())
const base = ['--clara', fx.clara, '--db', fx.url]
type Rec = Record<string, any>
const of = (recs: Rec[], type: string) => recs.filter((r) => r.type === type)

t.test('every project row, ordered by id, then every orphan', async (t) => {
  const r = await runMain(main, { argv: base })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stderr, '', 'silent on success')
  t.same(r.records.at(-1), { type: 'end', count: r.records.length - 1 })
  const projects = of(r.records, 'project')
  t.same(projects.map((p) => p.id), [5, 12, 37, 55, 60, 61])
  const types = r.records.slice(0, -1).map((x) => x.type)
  t.same(types, [...projects.map(() => 'project'), ...of(r.records, 'orphan').map(() => 'orphan')], 'projects first, then orphans')
  const mary = projects.find((p) => p.id === 37)!
  t.match(mary, { title: 'Mary had a little lamb', internal_id: 'Mary_had_a_little_lamb_37', l1: 'french', l2: 'english', uses_coherent_image_set: false })
  t.same(Object.keys(mary.owner).sort(), ['email', 'first_name', 'id', 'is_active', 'is_staff', 'is_superuser', 'last_name', 'username'])
  t.equal(mary.owner.username, 'mannyrayner')
  t.notOk(JSON.stringify(r.records).includes('pbkdf2_sha256$'), 'no password hash anywhere')
  t.match(mary.permissions, [{ role: 'ANNOTATOR', user: { username: 'annotator_ü' } }])
  t.match(mary.content, [{ text_type: 'normal', project_id: 37 }])
  t.ok(mary.rows.humanaudioinfo && mary.rows.formatpreferences && mary.rows.acknowledgements)
  t.equal(mary.rows.humanaudioinfo.use_for_words, true, 'booleans are booleans')
  t.match(mary.rows.humanaudioinfo.created_at ?? '', /^$|^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'timestamps RFC3339 UTC')
  t.ok(mary.images.some((i: Rec) => i.image_name === 'DALLE-E-3-Image-For-Whole-Text'))
  t.same(mary.places.map((p: Rec) => [p.kind, p.path, p.exists]), [
    ['content', 'clara_content/Mary_had_a_little_lamb_37', true],
    ['images', 'images/image_repository_orm/Mary_had_a_little_lamb_37', true],
    ['compiled_normal', 'clara_compiled/37', true],
    ['compiled_phonetic', 'clara_compiled_phonetic/37', true],
    ['compiled_questionnaire', 'clara_compiled_for_questionnaire/37', true],
  ])
  const lost = projects.find((p) => p.id === 61)!
  t.ok(lost.places.every((p: Rec) => !p.exists), 'a row without dirs is still listed')
  t.match(lost.rows_sha256, /^[0-9a-f]{64}$/)
})

t.test('an orphan for every entry of the per-project roots that no row owns', async (t) => {
  const r = await runMain(main, { argv: base })
  const projects = of(r.records, 'project')
  const orphans = of(r.records, 'orphan')
  t.match(orphans, [
    { kind: 'content', name: 'Orphan_no_db_row_77', path: 'clara_content/Orphan_no_db_row_77', file_type: 'dir' },
    { kind: 'compiled_normal', name: '99', path: 'clara_compiled/99', file_type: 'dir' },
  ])
  const owned = new Set(projects.flatMap((p) => p.places.map((x: Rec) => x.path)))
  const orphaned = new Set(orphans.map((o) => o.path))
  for (const root of ['clara_content', 'images/image_repository_orm', 'clara_compiled', 'clara_compiled_phonetic', 'clara_compiled_for_questionnaire']) {
    for (const name of readdirSync(path.join(fx.clara, root))) {
      const rel = `${root}/${name}`
      t.ok(owned.has(rel) !== orphaned.has(rel), `${rel}: owned by a row or an orphan, not both`)
    }
  }
})

t.test('--only and --skip take ids and internal_ids', async (t) => {
  const ids = async (argv: string[]) => (await runMain(main, { argv: [...base, ...argv] })).records.filter((x) => x.type !== "end").map((x: Rec) => x.id ?? x.name)
  t.same(await ids(['--only', '37,Ça_va__12']), [12, 37])
  t.same(await ids(['--only', '37', '--only', '5']), [5, 37], 'repeatable')
  t.same(await ids(['--only', 'Orphan_no_db_row_77']), ['Orphan_no_db_row_77'], 'an orphan by dir name')
  t.same(await ids(['--only', 'orphan-99']), ['99'], 'an orphan by unit name')
  t.same(await ids(['--skip', '12,Mary_had_a_little_lamb_37,99']), [5, 55, 60, 61, 'Orphan_no_db_row_77'])
  const r = await runMain(main, { argv: [...base, '--only', '4242'] })
  t.equal(r.code, 0)
  t.match(r.stderr, /4242: matches no project or orphan/)
})

t.test('read-only: the tree and the DB file are byte- and mtime-identical afterwards', async (t) => {
  const before = await snapshot(fx.clara)
  for (const argv of [[], ['--units', 'source'], ['--units', 'compiled'], ['--units', 'compiled', '--bundle', 'single']]) {
    t.equal((await runMain(main, { argv: [...base, ...argv] })).code, 0)
  }
  const after = await snapshot(fx.clara)
  t.same([...after], [...before])
  t.ok(before.has('db.sqlite3') && before.has('gunicorn.sock'))
})

t.test('settings come from CLARA and DATABASE_URL, the one contract of every tool (DB_TYPE is not read)', async (t) => {
  const r = await runMain(main, { env: { CLARA: fx.clara } })
  t.equal(r.code, 0, r.stderr)
  t.equal(of(r.records, 'project').length, 6, 'SQLite at $CLARA/db.sqlite3')
  const missing = await runMain(main, { env: { CLARA: fx.clara, DATABASE_URL: `sqlite://${path.join(dir, 'no-such.sqlite3')}` } })
  t.equal(missing.code, 3, 'DATABASE_URL is read without DB_TYPE: a URL to nothing is fatal, not silently replaced')
  const viaUrl = await runMain(main, { env: { CLARA: fx.clara, DB_TYPE: 'sqlite', DATABASE_URL: fx.url } })
  t.equal(viaUrl.code, 0, viaUrl.stderr)
  t.equal(of(viaUrl.records, 'project').length, 6, 'DATABASE_URL used as given, whatever DB_TYPE says')
})

t.test('usage errors: exit 2, nothing on stdout', async (t) => {
  for (const [argv, msg] of [
    [['--units', 'compiled', '--text-types', 'normal,bogus'], /unknown text type "bogus"/],
    [['--units', 'zip'], /Invalid values/],
    [['--clara', path.join(dir, 'nope')], /not found/],
  ] as [string[], RegExp][]) {
    const r = await runMain(main, { argv: argv[0] === '--clara' ? argv : [...base, ...argv], env: {} })
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.stderr, msg)
    t.equal(r.stdout, '')
  }
  const none = await runMain(main, { env: {} })
  t.equal(none.code, 2)
  t.match(none.stderr, /pass --clara DIR or set CLARA/)
})

t.test('--help on stdout, exit 0', async (t) => {
  const r = await runMain(main, { argv: ['--help'] })
  t.equal(r.code, 0)
  t.match(r.stdout, /--units/)
  t.match(r.stdout, /--text-types/)
})

t.test('a DB that cannot be opened is fatal, the password never printed', async (t) => {
  const r = await runMain(main, { argv: ['--clara', fx.clara, '--db', 'postgres://u:s3cretpw@127.0.0.1:1/x'] })
  t.equal(r.code, 3)
  t.notMatch(r.stderr, /s3cretpw/)
  t.equal(r.stdout, '')
})

t.test('the README shows the --help text verbatim', async (t) => {
  const { readFileSync } = await import('node:fs')
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const r = await runMain(main, { argv: ['--help'] })
  t.ok(readme.includes(r.stdout.replace(/\n$/, '')), 'README Usage block = --help')
})

t.test('an orphan folder whose name is not UTF-8 is a unit: its paths as bytes (dir_b64, restore_to_b64), a hashed id; a stray file with such a name is a unit by its bytes too (file_b64, path_b64, restore_to_b64)', async (t) => {
  const mini = await miniClara(t.testdir(), 'sqlite')
  const name = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2d, 0x31]) // "caf\xe9-1", Latin-1
  const twin = Buffer.from([0x63, 0x61, 0x66, 0xe8, 0x2d, 0x31]) // "caf\xe8-1": the same lossy text
  const under = (root: string, n: Buffer) => Buffer.concat([Buffer.from(path.join(mini.clara, root) + '/'), n])
  for (const [root, n] of [['clara_content', name], ['images/image_repository_orm', name], ['clara_content', twin], ['clara_compiled', name]] as const) {
    mkdirSync(under(root, n))
    writeFileSync(Buffer.concat([under(root, n), Buffer.from('/text.txt')]), 'kept\n')
  }
  const stray = Buffer.from([0x73, 0x74, 0x72, 0x61, 0x79, 0xff]) // "stray\xff"
  writeFileSync(under('clara_content', stray), 'a file\n')
  const strayPage = Buffer.from([0x73, 0x74, 0x72, 0x61, 0x79, 0xfe]) // "stray\xfe"
  writeFileSync(under('clara_compiled', strayPage), 'a page\n')
  const args = ['--clara', mini.clara, '--db', mini.url]
  const b64 = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => Buffer.from(p))).toString('base64')

  const src = await runMain(main, { argv: [...args, '--units', 'source'] })
  t.equal(src.code, 0, 'nothing left out')
  t.same(of(src.records, 'error'), [])
  const units = of(src.records, 'unit').filter((u) => String(u.unit).startsWith('orphan-caf'))
  t.equal(units.length, 2, 'one unit per name: the two names with one lossy text stay apart')
  const u = units.find((x) => x.metadata.name_b64 === name.toString('base64'))!
  t.match(u.unit, /^orphan-caf_-1~[0-9a-f]{16}$/, 'a readable, filesystem-safe id with a hash of the bytes')
  t.not(u.unit, units.find((x) => x !== u)!.unit)
  t.same(u.archives[0].sources, [
    { dir_b64: b64(path.join(mini.clara, 'clara_content') + '/', name), prefix: 'project_dir/', exclude: ['__pycache__', '*.pyc', 'gunicorn.sock'], restore_to_b64: b64('clara_content/', name) },
    { dir_b64: b64(path.join(mini.clara, 'images/image_repository_orm') + '/', name), prefix: 'image_repository/', exclude: ['__pycache__', '*.pyc', 'gunicorn.sock'], restore_to_b64: b64('images/image_repository_orm/', name) },
  ], 'the content dir and the image dir of that name share the unit')
  t.match(u.metadata, { orphan: true, name: 'caf\ufffd-1', name_b64: name.toString('base64'), db_rows: { image_metadata: [], image_description: [] } })
  t.ok(of(src.records, 'unit').some((x) => x.unit === 'orphan-Orphan_no_db_row_77'), 'UTF-8 orphan ids are unchanged')
  const su = of(src.records, 'unit').find((x) => x.metadata.name_b64 === stray.toString('base64'))!
  t.match(su.unit, /^orphan-stray_~[0-9a-f]{16}$/)
  t.same(su.archives, [{ name: 'source', sources: [
    { file_b64: b64(path.join(mini.clara, 'clara_content') + '/', stray), path_b64: stray.toString('base64'), restore_to_b64: b64('clara_content/', stray) },
  ] }], 'the stray file kept as it is, by its exact bytes')
  t.match(su.metadata, { orphan: true, name: 'stray\ufffd', paths: ['clara_content/stray\ufffd'] })
  const only = await runMain(main, { argv: [...args, '--units', 'source', '--only', u.unit] })
  t.same(of(only.records, 'unit').map((x) => x.unit), [u.unit], '--only takes the unit id')

  const compiled = await runMain(main, { argv: [...args, '--units', 'compiled'] })
  t.equal(compiled.code, 0)
  const cu = of(compiled.records, 'unit').find((x) => x.metadata.name_b64 === name.toString('base64'))!
  t.same(cu.archives[0].sources, [{ dir_b64: b64(path.join(mini.clara, 'clara_compiled') + '/', name), prefix: '', exclude: ['content_zipfile_*.zip', '__pycache__'], restore_to_b64: b64('clara_compiled/', name) }])
  t.equal(cu.unit, u.unit, 'the same name gets the same id in both domains')
  const cs = of(compiled.records, 'unit').find((x) => x.metadata.name_b64 === strayPage.toString('base64'))!
  t.same(cs.archives.map((a: any) => [a.name, a.sources]), [['compiled_normal', [
    { file_b64: b64(path.join(mini.clara, 'clara_compiled') + '/', strayPage), path_b64: strayPage.toString('base64'), restore_to_b64: b64('clara_compiled/', strayPage) },
  ]]], 'a stray compiled file by its bytes')
  const single = await runMain(main, { argv: [...args, '--units', 'compiled', '--bundle', 'single'] })
  const ss = of(single.records, 'unit').find((x) => x.metadata.name_b64 === strayPage.toString('base64'))!
  t.same(Buffer.from(ss.archives[0].sources[0].path_b64, 'base64'), Buffer.concat([Buffer.from('normal/'), strayPage]), 'bundled: under its type folder')

  const listed = await runMain(main, { argv: args })
  t.match(of(listed.records, 'orphan').filter((o) => o.name_b64), [
    { kind: 'content', name: 'caf\ufffd-1', file_type: 'dir', name_b64: twin.toString('base64'), path_b64: b64('clara_content/', twin) },
    { kind: 'content', name: 'caf\ufffd-1', file_type: 'dir', name_b64: name.toString('base64'), path_b64: b64('clara_content/', name) },
    { kind: 'content', name: 'stray\ufffd', file_type: 'file', name_b64: stray.toString('base64'), path_b64: b64('clara_content/', stray) },
    { kind: 'images', name_b64: name.toString('base64') },
    { kind: 'compiled_normal', name_b64: name.toString('base64'), path_b64: b64('clara_compiled/', name) },
    { kind: 'compiled_normal', file_type: 'file', name_b64: strayPage.toString('base64'), path_b64: b64('clara_compiled/', strayPage) },
  ], 'orphan records carry the exact bytes')
  t.equal(listed.code, 0)
  await mini.drop()
})
