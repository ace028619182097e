import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { repoRoot, runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { SCRIPT_PATHS } from '../src/script-paths.js'

t.test('clara-model paths NAME: one path a line, relative to $CLARA; an unknown name is a usage error', async (t) => {
  const r = await runMain(main, { argv: ['paths', 'audio-dbs'] })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stdout, 'audio/tts_metadata.db\naudio/tts_metadata_local.db\n')
  t.equal((await runMain(main, { argv: ['paths', 'snapshot-projects'] })).stdout, 'clara_content\n')
  const bad = await runMain(main, { argv: ['paths', 'nope'] })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown name "nope" \(one of audio-dbs, audio-folder, snapshot-projects, snapshot-media\)/)
})

t.test('the domain scripts type none of these paths: they ask clara-model', async (t) => {
  const scripts = path.join(repoRoot(), 'scripts')
  const all = Object.values(SCRIPT_PATHS).flatMap((s) => s.paths)
  for (const f of readdirSync(scripts).filter((f) => /^backup_.*\.sh$/.test(f))) {
    const code = readFileSync(path.join(scripts, f), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n')
    t.same(all.filter((p) => code.includes(p)), [], f)
  }
})
