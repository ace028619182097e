import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { createPgDb, repoRoot, runMain } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'

async function fixture(clara: string, db?: string): Promise<void> {
  const args = [path.join(repoRoot(), 'tools', 'fixture', 'bin.js'), '--clara', clara, '--quiet', ...(db ? ['--db', db] : [])]
  const r = await spawnTool('node', args, { env: childEnv() })
  if (r.code !== 0) throw new Error(`clara-fixture failed (exit ${r.code}; is tools/fixture built?): ${r.stderr}`)
}

function check(t: any, r: Awaited<ReturnType<typeof runMain>>, clara: string) {
  t.equal(r.code, 0, r.stderr)
  const files = r.records.filter((x) => x.type === 'file') as Record<string, unknown>[]
  const root = path.join(clara, 'audio', 'tts_repository_orm')
  // 13 §9.3 rows with a file, 45 human-voice recordings (Mary's words and segments, Ça va's phonemes), 1 file without a row
  t.equal(files.length, 59)
  t.ok(files.every((f) => f.root === root && typeof f.size === 'number' && typeof f.mtime === 'string'))
  const paths = files.map((f) => f.path as string)
  t.same(paths, [...paths].sort((a, b) => Buffer.compare(Buffer.from(a.replace(/\//g, '\0')), Buffer.from(b.replace(/\//g, '\0')))), 'sorted')
  t.ok(paths.includes('human_voice/old norse/mannyrayner/mannyrayner_20240720_100118_7bbef0d1-d780-4dd2-a6c8-8c5f0b88affc.mp3'))
  // rows use every path style (old host, Windows, $CLARA, S3 key); only row 13 has no file
  t.match(r.records.filter((x) => x.type === 'audio_missing'), [{ id: 13, expected_path: /^google\/en-GB\/en-GB-News-J\/.*\.mp3$/, reason: 'no file' }])
  t.equal(r.records.filter((x) => x.type === 'audio_missing').length, 1)
  t.same(r.records.filter((x) => x.type === 'audio_unreferenced'), [{ type: 'audio_unreferenced', path: 'google/en-GB/en-GB-News-J/orphan_no_row.mp3' }])
  t.same(r.records.at(-1), { type: 'end', count: r.records.length - 1 })
}

t.test('the fixture (SQLite): every cache file listed, rows reconciled across path styles', async (t) => {
  const clara = path.join(t.testdir({}), 'clara')
  await fixture(clara)
  check(t, await runMain(main, { argv: ['--clara', clara] }), clara)
  check(t, await runMain(main, { argv: [], env: { CLARA: clara } }), clara)
})

t.test('the fixture on PostgreSQL', async (t) => {
  const db = await createPgDb('clara_list_audio')
  t.teardown(() => db.drop())
  const clara = path.join(t.testdir({}), 'clara')
  await fixture(clara, db.url)
  check(t, await runMain(main, { argv: ['--clara', clara, '--db', db.url] }), clara)
})

t.test('no cache directory: every row missing, still exit 0; no table: an error record, exit 1', async (t) => {
  const clara = path.join(t.testdir({}), 'clara')
  await fixture(clara)
  fs.rmSync(path.join(clara, 'audio', 'tts_repository_orm'), { recursive: true })
  const r = await runMain(main, { argv: ['--clara', clara] })
  t.equal(r.code, 0)
  t.equal(r.records.filter((x) => x.type === 'audio_missing').length, 59, 'every orm_audio_metadata row')
  t.match(r.stderr, /no audio cache/)
  const empty = path.join(clara, 'empty.sqlite3')
  fs.writeFileSync(empty, '')
  const e = await runMain(main, { argv: ['--clara', clara, '--db', `sqlite://${empty}`] })
  t.equal(e.code, 1)
  t.match(e.records, [{ type: 'error', item: 'orm_audio_metadata' }, { type: 'end' }])
})

t.test('usage errors: exit 2, nothing on stdout', async (t) => {
  const r = await runMain(main, { argv: [], env: {} })
  t.equal(r.code, 2)
  t.equal(r.stdout, '')
  t.match(r.stderr, /--clara/)
  const h = await runMain(main, { argv: ['--help'] })
  t.equal(h.code, 0)
  t.match(h.stdout, /audio_unreferenced/)
})
