import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { repoRoot } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { treeDigest } from '@clara/shared/tree-hash'

const repo = repoRoot()
const env = (extra: NodeJS.ProcessEnv) => childEnv({ PATH: `${path.join(repo, 'node_modules/.bin')}:${process.env.PATH}`, ...extra })

t.test('scripts/backup_audio_cache.sh on the fixture: shards, reconciliation counts, legacy audio DB; a second run links', async (t) => {
  const dir = t.testdir({})
  const clara = path.join(dir, 'clara')
  const fx = await spawnTool('node', [path.join(repo, 'tools/fixture/bin.js'), '--clara', clara, '--quiet'], { env: childEnv() })
  t.equal(fx.code, 0, fx.stderr)
  const run1 = path.join(dir, 'run1')
  const r = await spawnTool('bash', [path.join(repo, 'scripts/backup_audio_cache.sh')], { env: env({ CLARA: clara, DEST: run1, SHARD_SIZE_MB: '0.1' }) })
  t.equal(r.code, 0, r.stderr)
  const out = path.join(run1, 'audio_cache')
  const index = JSON.parse(fs.readFileSync(path.join(out, 'index.json'), 'utf8'))
  t.same(index.reports, { audio_missing: 1, audio_unreferenced: 1 })
  t.equal(index.groups.tts_audio_part.restore_to, 'audio/tts_repository_orm')
  t.equal(index.totals.files, 59, '13 §9.3 recordings, 45 human-voice ones, 1 without a row')
  t.ok(index.shards.length >= 2, 'several shards at 0.1 MB')
  const into = path.join(dir, 'restored')
  fs.mkdirSync(into)
  for (const s of index.shards) execFileSync('tar', ['-xf', path.join(out, s.path), '-C', into])
  const cache = path.join(clara, 'audio', 'tts_repository_orm')
  t.equal((await treeDigest(into)).lines.filter((l) => !l.startsWith('dir')).join('\n'), (await treeDigest(cache)).lines.filter((l) => !l.startsWith('dir')).join('\n'), 'files restore byte- and mtime-equal')
  t.ok(fs.statSync(path.join(out, 'orm_db', 'tts_metadata_local.db')).size > 0, 'legacy audio DB copied')
  t.ok(fs.existsSync(path.join(out, 'orm_db', 'db_metadata.json')))
  const reports = fs.readFileSync(path.join(out, 'reports.ndjson'), 'utf8')
  t.match(reports, /"type":"audio_missing","id":13/)
  const run2 = path.join(dir, 'run2')
  const r2 = await spawnTool('bash', [path.join(repo, 'scripts/backup_audio_cache.sh')], { env: env({ CLARA: clara, DEST: run2, SHARD_SIZE_MB: '0.1', CLARA_ARCHIVE_ARGS: ['--link-dest', run1, '--workers', '2', '--existing', 'skip'].join('\n') }) })
  t.equal(r2.code, 0, r2.stderr)
  const index2 = JSON.parse(fs.readFileSync(path.join(run2, 'audio_cache', 'index.json'), 'utf8'))
  t.equal(index2.totals.reused, index.shards.length, 'nothing changed: every shard linked')
  t.equal(fs.statSync(path.join(run2, 'audio_cache', index2.shards[0].path)).ino, fs.statSync(path.join(out, index.shards[0].path)).ino)
})
