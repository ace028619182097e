import t from 'tap'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { repoRoot, runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'

type Rec = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

t.test('the global roots of the fixture become media units; absent roots are warnings', async (t) => {
  const dir = t.testdir()
  const clara = path.join(dir, 'clara')
  execFileSync('node', [path.join(repoRoot(), 'tools/fixture/bin.js'), '--clara', clara], { stdio: 'ignore' })
  const r = await runMain(main, { argv: ['--clara', clara] })
  t.equal(r.code, 0)
  t.same(r.records.at(-1), { type: 'end', count: r.records.length - 1 })
  const units = r.records.filter((x: Rec) => x.type === 'unit') as Rec[]
  const byName = Object.fromEntries(units.map((u) => [u.unit, u]))
  for (const name of ['gloss_images', 'prompt_templates', 'phonetic_orthography', 'mediafiles', 'app_config', 'readspeaker_key']) t.ok(byName[name], `${name} is a unit`)
  t.ok(units.every((u) => u.domain === 'media' && u.archives.length === 1 && u.archives[0].name === 'media'))
  const gloss = byName.gloss_images.archives[0].sources[0]
  t.same([gloss.dir, gloss.prefix, gloss.restore_to], [path.join(clara, 'gloss_images'), '', 'gloss_images'])
  t.ok(gloss.exclude.includes('tmp') && gloss.exclude.includes('__pycache__'))
  const key = byName.readspeaker_key
  t.equal(key.secret, true, 'the ReadSpeaker key unit is secret')
  t.equal(key.metadata.secret, true, 'and says so in its metadata.json')
  t.same(key.archives[0].sources[0].restore_to, 'clara_app/clara_core/readspeaker_license_key.txt', 'a file restores to its full path')
  const warnings = r.records.filter((x: Rec) => x.type === 'warning') as Rec[]
  t.ok(warnings.some((w) => w.item === 'images/image_repository' && /absent/.test(w.message)), 'an absent root is a warning, not an error')
  t.notOk(r.records.some((x: Rec) => x.type === 'error'))
})

t.test('usage: --clara or CLARA is required; --help exits 0', async (t) => {
  const r = await runMain(main, { argv: [] })
  t.equal(r.code, 2)
  t.match(r.stderr, /--clara/)
  const h = await runMain(main, { argv: ['--help'] })
  t.equal(h.code, 0)
  t.match(h.stdout, /media/)
})
