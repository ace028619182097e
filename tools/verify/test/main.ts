/** The whole tool on a real SQLite backup run: usage, unreadable runs, a good run at every data level, the state file. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { binPath, spawnTool } from '@clara/shared/testkit-spawn'
import { buildRun, copyRun, failing, readJsonFile, verdicts, verify, type BuiltRun } from './helpers.js'

let b: BuiltRun
t.before(async () => {
  b = await buildRun('sqlite')
})
t.teardown(() => b?.cleanup())

t.test('usage', async (t) => {
  const help = await verify(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /--data/)
  t.equal((await verify([])).code, 2, 'RUN is required')
  t.equal((await verify([b.run, '--data', 'most'])).code, 2, 'bad --data')
  t.equal((await verify([b.run, '--data', 'sample', '0%'])).code, 2, 'a 0% sample')
  t.equal((await verify([b.run, 'extra'])).code, 2, 'stray positional')
})

t.test('a run that cannot be read exits 3', async (t) => {
  const missing = await verify([path.join(b.root, 'no-such-run')])
  t.equal(missing.code, 3)
  t.match(missing.stderr, /cannot read the run/)
  const file = path.join(b.root, 'a-file')
  await fsp.writeFile(file, 'x')
  t.equal((await verify([file])).code, 3, 'a file is not a run')
  const bad = await copyRun(b, 'bad-manifest')
  await fsp.writeFile(path.join(bad, 'manifest.json'), '{ not json')
  const r = await verify([bad])
  t.equal(r.code, 3)
  t.match(r.stderr, /manifest\.json not valid JSON/)
})

t.test('a good run verifies at all three levels', async (t) => {
  for (const data of [['structure'], ['sample', '30%'], ['full']]) {
    const r = await verify([path.join(b.root, 'backups', 'latest'), '--data', ...data, '--no-state'])
    t.equal(r.code, 0, `--data ${data.join(' ')}: ${JSON.stringify(failing(r)).slice(0, 800)}`)
    const s = r.records.find((x: any) => x.type === 'summary') as any
    t.equal(s.failed, 0)
    t.equal(r.records.at(-1)?.type, 'end')
    for (const check of ['manifest', 'totals', 'index', 'unit', 'count', 'db', 'reference', 'audio-db', 'secrets']) t.ok(verdicts(r, (v) => v.check === check).length, `${check} verdicts present`)
    if (data[0] === 'full') {
      t.equal(s.rehashed, s.artifacts, 'every artifact re-hashed')
      t.ok(s.members > 100, 'members read')
    }
    if (data[0] === 'structure') t.equal(s.rehashed, 0)
  }
})

t.test('known-missing references are warnings, not mismatches', async (t) => {
  const r = await verify([b.run])
  const known = verdicts(r, (v) => v.check === 'reference' && v.known)
  t.ok(known.some((v) => v.item.startsWith('orm_audio_metadata#')), 'the fixture row whose audio file is missing, listed by the audio report')
  t.ok(known.every((v) => v.ok && v.warning))
  const tables = verdicts(r, (v) => v.check === 'reference' && !v.item.includes('#'))
  t.same(tables.map((v) => v.item).sort(), ['orm_audio_metadata', 'orm_image_gloss_metadata', 'orm_image_metadata'])
  t.ok(tables.every((v) => v.ok && v.references > 0))
})

t.test('sample: state file, oldest verified first, seeded', async (t) => {
  const run = await copyRun(b, 'sample')
  const structure = await verify([run])
  t.equal(structure.code, 0)
  await t.rejects(fsp.access(path.join(run, 'verify_state.json')), 'structure writes nothing')
  const first = await verify([run, '--data', 'sample:50%', '--seed', '7'])
  const s1 = first.records.find((x: any) => x.type === 'summary') as any
  const state1 = await readJsonFile(path.join(run, 'verify_state.json'))
  const seen1 = Object.keys(state1.artifacts)
  t.equal(seen1.length, s1.rehashed)
  t.equal(s1.rehashed, Math.ceil(s1.artifacts / 2))
  await verify([run, '--data', 'sample', '50%', '--seed', '7'])
  const state2 = await readJsonFile(path.join(run, 'verify_state.json'))
  t.equal(Object.keys(state2.artifacts).length, s1.artifacts, 'the second sample takes the never-verified half')
  const again = await verify([run, '--data', 'sample:50%', '--seed', '3'])
  t.equal(again.code, 0)
  const state3 = await readJsonFile(path.join(run, 'verify_state.json'))
  const redone = Object.keys(state3.artifacts).filter((k) => state3.artifacts[k].verified_at !== state2.artifacts[k].verified_at)
  const oldest = seen1.filter((k) => state2.artifacts[k].verified_at === state1.artifacts[k].verified_at)
  t.equal(redone.length, s1.rehashed)
  t.ok(oldest.every((k) => redone.includes(k)), 'the third takes the oldest verified first')
})

t.test('stray temp files are reported as warnings', async (t) => {
  const run = await copyRun(b, 'temp')
  await fsp.writeFile(path.join(run, 'source_exports', '37', '.source.zip.99999.abcd1234.tmp'), 'partial')
  const r = await verify([run])
  t.equal(r.code, 0)
  const temp = verdicts(r, (v) => v.check === 'temp')
  t.equal(temp.length, 1)
  t.equal(temp[0].item, 'source_exports/37/.source.zip.99999.abcd1234.tmp')
  t.ok(temp[0].warning)
})

t.test('an encrypted run: stored bytes verify, unreadable contents are skipped with a warning', async (t) => {
  const run = await copyRun(b, 'encrypted')
  const key = path.join(b.root, 'age.key')
  await spawnTool('age-keygen', ['-o', key])
  const pub = /public key: (age1\S+)/.exec(await fsp.readFile(key, 'utf8'))![1]
  const enc = await spawnTool(binPath('clara-encrypt'), ['--run', run, '--to', pub, '--quiet'])
  t.equal(enc.code, 0, enc.stderr)
  const r = await verify([run, '--data', 'full', '--no-state'])
  t.equal(r.code, 0, JSON.stringify(failing(r)).slice(0, 800))
  const db = verdicts(r, (v) => v.check === 'db')
  t.ok(db[0].skipped && db[0].warning && /\.age$/.test(db[0].item))
  t.match(verdicts(r, (v) => v.check === 'secrets')[0].message, /encrypted file\(s\) not readable/)
  await fsp.appendFile(path.join(run, 'infra', (await fsp.readdir(path.join(run, 'infra'))).find((f) => f.endsWith('.age'))!), 'x')
  const bad = await verify([run, '--no-state'])
  t.equal(bad.code, 12, 'a damaged encrypted file is still found by its size')
})
