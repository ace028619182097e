/** Corrupted copies of one real SQLite run: each case exits 12 and names the item that broke. */
import { execFileSync } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { buildRun, copyRun, failing, flipBit, readJsonFile, refreshPlain, refreshRecords, verify, writeJsonFile, type BuiltRun } from './helpers.js'

let b: BuiltRun
t.before(async () => {
  b = await buildRun('sqlite')
})
t.teardown(() => b?.cleanup())

/** Verify the copy; expect exit 12 with a failing verdict of `check` on `item` whose message matches `msg`. */
async function mismatch(t: Test, run: string, data: string, check: string, item: string, msg: RegExp) {
  const r = await verify([run, '--data', data, '--no-state'])
  t.equal(r.code, 12, `exit 12 at --data ${data}`)
  const hit = failing(r).find((v) => v.check === check && v.item === item)
  t.ok(hit, `a failing ${check} verdict names ${item} (got ${JSON.stringify(failing(r).map((v) => `${v.check} ${v.item}`))})`)
  if (hit) t.match(hit.message, msg)
  return r
}

t.test('bit flip in a zip: found by re-hashing (full), not by sizes (structure)', async (t) => {
  const run = await copyRun(b, 'flip')
  await flipBit(path.join(run, 'compiled_exports/37/compiled_normal.zip'), 0.3)
  t.equal((await verify([run, '--no-state'])).code, 0, 'structure: the size still matches')
  const r = await mismatch(t, run, 'full', 'unit', 'compiled_exports/37', /compiled_normal\.zip: sha256 differs/)
  t.equal(failing(r).length, 1, 'only that unit')
})

t.test('truncated zip: found at every level', async (t) => {
  const run = await copyRun(b, 'truncate')
  const f = path.join(run, 'source_exports/37/source.zip')
  const st = await fsp.stat(f)
  await fsp.truncate(f, st.size - 100)
  await mismatch(t, run, 'structure', 'unit', 'source_exports/37', /bytes on disk/)
  await mismatch(t, run, 'full', 'unit', 'source_exports/37', /source\.zip/)
})

t.test('a member deleted from a zip whose records were fixed up: only the member check finds it', async (t) => {
  const run = await copyRun(b, 'delete-member')
  const rel = 'source_exports/12/source.zip'
  execFileSync('zip', ['-q', '-d', path.join(run, rel), 'image_descriptions/metadata.json'])
  await refreshRecords(run, 'source_exports', '12', rel)
  t.equal((await verify([run, '--data', 'structure', '--no-state'])).code, 0, 'sizes and index agree')
  const r = await mismatch(t, run, 'full', 'unit', 'source_exports/12', /image_descriptions\/metadata\.json .* is missing|file members/)
  t.equal(failing(r).length, 1)
})

t.test('two units swapped', async (t) => {
  const run = await copyRun(b, 'swap')
  const [a, c] = ['source_exports/5/source.zip', 'source_exports/55/source.zip'].map((p) => path.join(run, p))
  await fsp.rename(a, a + '.x')
  await fsp.rename(c, a)
  await fsp.rename(a + '.x', c)
  const r = await mismatch(t, run, 'full', 'unit', 'source_exports/5', /sha256 differs|bytes on disk/)
  t.ok(failing(r).some((v) => v.item === 'source_exports/55'), 'both units named')
})

t.test('an edited index.json', async (t) => {
  const run = await copyRun(b, 'index-edit')
  const file = path.join(run, 'legacy_zips/index.json')
  const idx = await readJsonFile(file)
  idx.entries[0].size_bytes += 1
  idx.entries[1].sha256 = '0'.repeat(64)
  await writeJsonFile(file, idx)
  const r = await mismatch(t, run, 'structure', 'index', 'legacy_zips/index.json', /index\.json says \d+ bytes/)
  t.match(failing(r).find((v) => v.check === 'index')!.message, /sha256 differs/)
  t.ok(failing(r).some((v) => v.check === 'totals'), 'the manifest no longer adds up either')
})

t.test('a unit listed in the index but missing on disk', async (t) => {
  const run = await copyRun(b, 'unit-gone')
  await fsp.rm(path.join(run, 'media/gloss_images'), { recursive: true })
  const r = await mismatch(t, run, 'structure', 'index', 'media/index.json', /gloss_images\/media\.zip: listed in index\.json but missing on disk/)
  const refs = failing(r).filter((v) => v.check === 'reference')
  t.ok(refs.some((v) => v.item.startsWith('orm_image_gloss_metadata#')), 'the gloss image rows lost their files')
})

t.test('an unfinished unit (no metadata.json)', async (t) => {
  const run = await copyRun(b, 'unfinished')
  await fsp.rm(path.join(run, 'source_exports/37/metadata.json'))
  const r = await mismatch(t, run, 'structure', 'unit', 'source_exports/37', /unfinished: no metadata\.json/)
  t.match(failing(r).find((v) => v.check === 'index')?.message, /unit is unfinished/)
})

t.test('a bit flip inside an audio shard', async (t) => {
  const run = await copyRun(b, 'shard')
  const idx = await readJsonFile(path.join(run, 'audio_cache/index.json'))
  const shard = idx.shards[0]
  await flipBit(path.join(run, 'audio_cache', shard.path), 0.6)
  const r = await mismatch(t, run, 'full', 'unit', `audio_cache/${shard.name}`, /sha256 differs/)
  t.match(failing(r)[0].message, /member .*content differs/)
})

t.test('a planted secret in infra/', async (t) => {
  const run = await copyRun(b, 'secret')
  const rel = 'infra/settings_snapshot.txt'
  await fsp.appendFile(path.join(run, rel), "\nexport OPENAI_API_KEY='sk-proj-PLANTEDsecretVALUE0123456789abcdef'\n")
  await refreshPlain(run, 'infra', rel)
  const r = await mismatch(t, run, 'structure', 'secrets', 'infra', /settings_snapshot\.txt: .*line/)
  t.notMatch(r.stdout + r.stderr, /PLANTEDsecret/, 'the secret itself is never printed')
})

t.test('a DB row pointing at a file the backup does not hold', async (t) => {
  const run = await copyRun(b, 'reference')
  const dump = (await fsp.readdir(path.join(run, 'db'))).find((f) => f.endsWith('.sqlite3'))!
  execFileSync('sqlite3', [path.join(run, 'db', dump), "update orm_image_gloss_metadata set file_path = '/srv/old/gloss_images/image_repository_orm/kok kaper/any/00/nope/nope.jpg' where id = 1"])
  await refreshPlain(run, 'db', `db/${dump}`, `db/${dump.replace(/\.sqlite3$/, '.db_metadata.json')}`)
  const r = await mismatch(t, run, 'structure', 'reference', 'orm_image_gloss_metadata#1', /gloss_images\/image_repository_orm\/kok kaper\/any\/00\/nope\/nope\.jpg is in no unit or shard/)
  t.ok(failing(r).some((v) => v.check === 'reference' && v.item === 'orm_image_gloss_metadata'))
})

t.test('manifest totals that do not add up', async (t) => {
  const run = await copyRun(b, 'totals')
  const m = await readJsonFile(path.join(run, 'manifest.json'))
  m.domains.source_exports.units += 1
  m.totals.units += 1
  await writeJsonFile(path.join(run, 'manifest.json'), m)
  await mismatch(t, run, 'structure', 'totals', 'manifest.json', /source_exports: manifest\.json says units/)
})

t.test('a project without any unit or failure', async (t) => {
  const run = await copyRun(b, 'count')
  await fsp.rm(path.join(run, 'source_exports/55'), { recursive: true })
  const idxFile = path.join(run, 'source_exports/index.json')
  const idx = await readJsonFile(idxFile)
  idx.entries = idx.entries.filter((e: any) => e.unit !== '55')
  await writeJsonFile(idxFile, idx)
  await mismatch(t, run, 'structure', 'count', 'source_exports', /project 55 has no source_exports unit/)
})
