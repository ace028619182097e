/**
 * Two files whose names differ only in bytes that are not UTF-8 (`a\xff.mp3`, `a\xfe.mp3`: both
 * read `a\uFFFD.mp3` as text), in a project folder (a zip unit) and in the audio cache (a shard):
 * a good run verifies, and damage to one of them is reported under its own name, never its twin's.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { readableName } from '@clara/shared/names'
import { buildRun, copyRun, failing, readJsonFile, refreshRecords, sha256File, verify, writeJsonFile, type BuiltRun } from './helpers.js'

const FF = Buffer.from('a\xff.mp3', 'latin1')
const FE = Buffer.from('a\xfe.mp3', 'latin1')
const BODY = new Map<Buffer, string>([[FF, 'FF-content-'.repeat(60)], [FE, 'FE-content-'.repeat(60)]])
const PROJECT = 'clara_content/Mary_had_a_little_lamb_37'
const VOICE = 'audio/tts_repository_orm/human_voice/english'
const cat = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => Buffer.from(p)))

let b: BuiltRun
t.before(async () => {
  b = await buildRun('sqlite', async (clara) => {
    for (const [name, body] of BODY) {
      await fsp.writeFile(cat(clara, '/', PROJECT, '/', name), body)
      await fsp.writeFile(cat(clara, '/', VOICE, '/', name), body)
    }
  })
})
t.teardown(() => b?.cleanup())

/** Flip one byte inside the content of `name` (found by its text: both are stored, not deflated) in the archive `file`. */
async function damage(t: Test, file: string, name: Buffer): Promise<void> {
  const buf = await fsp.readFile(file)
  const body = Buffer.from(BODY.get(name)!)
  const at = buf.indexOf(body)
  t.ok(at >= 0 && buf.indexOf(body, at + 1) < 0, `the content of ${readableName(name)} is in ${path.basename(file)} once`)
  buf[at + 5] ^= 0x20
  await fsp.writeFile(file, buf)
}

/** Exit 12 with exactly one failing verdict, on `item`, naming the member `bad` and not `good`. */
async function namesOnly(t: Test, run: string, item: string, bad: Buffer, good: Buffer): Promise<void> {
  t.equal((await verify([run, '--no-state'])).code, 0, 'structure: sizes and records agree')
  const r = await verify([run, '--data', 'full', '--no-state'])
  t.equal(r.code, 12, 'exit 12 at --data full')
  const f = failing(r)
  t.same(f.map((v) => v.item), [item], 'one failing verdict, on the damaged archive')
  t.ok(f[0]?.message.includes(readableName(bad)), `names ${readableName(bad)}: ${f[0]?.message}`)
  t.notOk(f[0]?.message.includes(readableName(good)), `does not name its twin ${readableName(good)}`)
  t.not(readableName(bad), readableName(good), 'the two names read apart')
}

t.test('the good run passes --data full: both twins found and checked in the zip and in the shard', async (t) => {
  const meta = await readJsonFile(path.join(b.run, 'source_exports/37/metadata.json'))
  t.same(meta.members.filter((m: any) => m.path_b64).map((m: any) => Buffer.from(m.path_b64, 'base64').toString('latin1')).sort(), ['project_dir/a\xfe.mp3', 'project_dir/a\xff.mp3'], 'zip-unit recorded both by their bytes')
  const r = await verify([b.run, '--data', 'full', '--no-state'])
  t.equal(r.code, 0, JSON.stringify(failing(r)))
  t.same(failing(r), [])
})

for (const [label, hit, twin] of [['one zip member', FF, FE], ['the other zip member', FE, FF]] as const) {
  t.test(`${label} damaged (records fixed up): the unit fails naming that member, and its twin not`, async (t) => {
    const run = await copyRun(b, `zip-${hit.toString('hex')}`)
    const rel = 'source_exports/37/source.zip'
    await damage(t, path.join(run, rel), hit)
    await refreshRecords(run, 'source_exports', '37', rel)
    await namesOnly(t, run, 'source_exports/37', cat('project_dir/', hit), cat('project_dir/', twin))
  })
}

t.test('one shard member damaged (index fixed up): the shard fails naming that member only', async (t) => {
  const run = await copyRun(b, 'shard')
  const idxFile = path.join(run, 'audio_cache/index.json')
  const idx = await readJsonFile(idxFile)
  const listings = await Promise.all(idx.shards.map((s: any) => fsp.readFile(path.join(run, 'audio_cache', s.members_path), 'utf8')))
  const i = listings.findIndex((l) => l.includes(cat('human_voice/english/', FE).toString('base64')))
  t.ok(i >= 0, 'a listing names the member by its bytes (path_b64)')
  const shard = idx.shards[i]
  const file = path.join(run, 'audio_cache', shard.path)
  await damage(t, file, FE)
  Object.assign(shard, await sha256File(file).then((h) => ({ sha256: h.sha256, size_bytes: h.size })))
  await writeJsonFile(idxFile, idx)
  await namesOnly(t, run, `audio_cache/${shard.name}`, cat('human_voice/english/', FE), cat('human_voice/english/', FF))
})
