/**
 * The durability rule of a restore (issue 16): restored files, markers and content zips get no
 * fsync each; one flush of the file system comes before the report. Markers carry the boot they
 * were written in, and `.clara-restore/unflushed.json` lists the boots whose writes were not
 * flushed yet. After a power loss (simulated: a marker of another boot that never flushed, a file
 * of its unit that lost its data but not its size, a content zip zeroed under a fresh mtime), a
 * rerun redoes that unit and rebuilds every content zip (of those the install had); the units of this boot are still skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import { ZipReader } from '@clara/shared/zip-reader'
import { main } from '../src/main.js'
import { backup, fixture, shortDir } from './kit.js'

const base = shortDir(t, 'dur')
const clara = path.join(base, 'old')
const to = path.join(base, 'new')
const db = await fixture(clara)
const run = await backup(clara, db, path.join(base, 'backups'))
const args = [run, '--to', to, '--db', `sqlite://${to}/db.sqlite3`, '--quiet']
const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
const state = path.join(to, '.clara-restore')
const readJ = (f: string) => JSON.parse(readFileSync(f, 'utf8'))
const markers = () => readdirSync(path.join(state, 'units'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.marker.json')).map((f) => path.join(state, 'units', f))
const records = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l))

/** Zeros in place of a file's bytes, its size and mtime kept: what a power loss can leave of data never flushed. */
function zeroed(file: string): void {
  const st = statSync(file)
  writeFileSync(file, Buffer.alloc(st.size))
  utimesSync(file, st.atime, st.mtime)
}

t.test('a restore flushes once: every marker names this boot, and no boot is left unflushed', async (t) => {
  const r = await runMain(main, { argv: args })
  t.equal(r.code, 0, r.stderr)
  t.ok(markers().length > 3)
  for (const m of markers()) t.equal(readJ(m).boot, boot, `${path.basename(m)}: this boot`)
  t.same(readJ(path.join(state, 'unflushed.json')), { boots: [], zips: [] })
})

t.test('after a power loss in a boot that never flushed: its units are redone, every content zip rebuilt', async (t) => {
  const lost = '00000000-lost-boot'
  const compiled = markers().map((m) => readJ(m)).filter((m) => m.domain === 'compiled_exports')
  t.ok(compiled.length >= 2, 'two compiled units at least')
  // another unit's content zip (only a rendered dir that had one in the install has one again)
  const zipOf = (m: any) => `${m.targets.find((x: string) => x.startsWith('clara_compiled/'))}/content_zipfile_normal.zip`
  const other = compiled.find((m) => existsSync(path.join(to, zipOf(m))))!
  const victim = compiled.find((m) => m !== other)!
  const file = victim.files.map((f: [string, number]) => f[0]).find((f: string) => f.endsWith('.html'))
  const good = readFileSync(path.join(to, file))
  const zipRel = zipOf(other)
  // the victim's marker says it was written in the lost boot; its file and another unit's zip lost their data
  const vFile = markers().find((m) => readJ(m).domain === victim.domain && readJ(m).unit === victim.unit)!
  writeFileSync(vFile, JSON.stringify({ ...victim, boot: lost }))
  writeFileSync(path.join(state, 'unflushed.json'), JSON.stringify({ boots: [lost], zips: [lost] }))
  zeroed(path.join(to, file))
  zeroed(path.join(to, zipRel))

  const r = await runMain(main, { argv: args })
  t.equal(r.code, 0, r.stderr)
  const restored = records(r.stdout).filter((x) => x.type === 'restored' && x.domain !== 'db')
  t.same(restored.filter((x) => !x.already).map((x) => `${x.domain}/${x.unit}`), [`${victim.domain}/${victim.unit}`], 'only the unit of the lost boot is redone')
  t.same(readFileSync(path.join(to, file)), good, `${file}: whole again`)
  const report = readJ(path.join(to, 'restore_report.json'))
  t.same(report.site.content_zips.fresh, [], 'no content zip trusted')
  t.ok(report.site.content_zips.built.includes(zipRel), `${zipRel} rebuilt`)
  const z = await ZipReader.open(path.join(to, zipRel))
  t.ok(z.entries.some((e) => e.name === 'content/page_1.html'), `${zipRel}: a zip again`)
  await z.close()
  t.equal(readJ(vFile).boot, boot, 'its marker names this boot now')
  t.same(readJ(path.join(state, 'unflushed.json')), { boots: [], zips: [] }, 'nothing left unflushed')

  const again = await runMain(main, { argv: args })
  t.equal(again.code, 0, again.stderr)
  t.ok(records(again.stdout).filter((x) => x.type === 'restored' && x.domain !== 'db').every((x) => x.already), 'a third run skips every unit')
  t.same(readJ(path.join(to, 'restore_report.json')).site.content_zips.built, [], 'and trusts the fresh zips again')
})
