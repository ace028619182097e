/**
 * Whose targets are replaced: one that was there before the restore is moved aside (never
 * deleted) and reported; one this restore claimed is replaced in place on a rerun, also after
 * the unit's marker was lost (a marker of a claimed target is not kept through a power cut).
 */
import { existsSync, mkdirSync, promises as fsp, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { legacyUnit } from './craft.js'

t.test('a target that was there is moved aside once; ours are replaced in place', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  await legacyUnit(run, 'a', [{ name: 'page.html', data: 'A' }])
  await legacyUnit(run, 'b', [{ name: 'page.html', data: 'B' }])
  const to = path.join(base, 'new')
  mkdirSync(path.join(to, 'LARA_legacy', 'a'), { recursive: true })
  writeFileSync(path.join(to, 'LARA_legacy', 'a', 'mine.txt'), 'not from the backup')
  const argv = [run, '--to', to, '--domains', 'legacy', '--quiet']

  const r = await runMain(main, { argv })
  t.equal(r.code, 0, r.stderr)
  const rec = r.records.find((x: any) => x.type === 'restored' && x.unit === 'a') as any
  t.same(rec.replaced, ['LARA_legacy/a'], 'the foreign target is reported')
  t.equal(await fsp.readFile(path.join(to, '.clara-restore/replaced/LARA_legacy/a/mine.txt'), 'utf8'), 'not from the backup', 'and kept aside')
  t.equal(await fsp.readFile(path.join(to, 'LARA_legacy/a/page.html'), 'utf8'), 'A')
  t.notOk(r.records.some((x: any) => x.unit === 'b' && x.replaced), 'a target that was not there is not foreign')
  const claimed = JSON.parse(await fsp.readFile(path.join(to, '.clara-restore/claimed.json'), 'utf8'))
  t.same(claimed.targets, ['LARA_legacy/b'], 'only the absent target is claimed')
  t.same(await fsp.readdir(path.join(to, '.clara-restore/units/legacy_zips')), ['a.marker.json', 'b.marker.json'], 'no intent is left')

  // lose b's marker (as a power cut may): b is redone and not taken for foreign; a is skipped
  await fsp.rm(path.join(to, '.clara-restore/units/legacy_zips/b.marker.json'))
  await fsp.rm(path.join(to, '.clara-restore/replaced'), { recursive: true })
  const again = await runMain(main, { argv })
  t.equal(again.code, 0, again.stderr)
  t.same(again.records.filter((x: any) => x.type === 'restored').map((x: any) => [x.unit, Boolean(x.already)]), [['a', true], ['b', false]], 'a skipped, b redone')
  t.notOk(again.records.some((x: any) => x.replaced), 'nothing moved aside on the rerun')
  t.notOk(existsSync(path.join(to, '.clara-restore/replaced')), 'no copy kept')
  t.equal(await fsp.readFile(path.join(to, 'LARA_legacy/b/page.html'), 'utf8'), 'B')
})
