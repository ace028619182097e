/**
 * Issue 14 items 2, 5, 6 through a real restore: fixture → clara-backup → clara-restore --sources
 * onto a NEWCLARA that is already a newer checkout (its own config.ini has sections the backup's
 * lacks). Afterwards: every rendered normal/phonetic dir that had a content zip has it again
 * (C-LARA's layout, the restored pages inside), and only those (a run of an older backup, which
 * did not record them: every one); config.ini reads (Python's configparser) as the backup's
 * values plus what only the checkout had, and no string of a pickled text names the old root.
 */
import t from 'tap'
import { existsSync, mkdirSync, promises as fsp, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { ZipReader } from '@clara/shared/zip-reader'
import { main } from '../src/main.js'
import { parsePickle } from '../src/pickle.js'
import { backup, fixture, shortDir } from './kit.js'

type Rec = Record<string, any>
const base = shortDir(t, 'site')
const clara = path.join(base, 'old')
const to = path.join(base, 'new')
const db = await fixture(clara)
// C-LARA had built two content zips: 37's normal one (the fixture's) and 12's phonetic one (only its presence counts)
writeFileSync(path.join(clara, 'clara_compiled_phonetic/12/content_zipfile_phonetic.zip'), 'PK')
const run = await backup(clara, db, path.join(base, 'backups'))

/** The checkout's own config.ini: the backup's, one value changed, one option and one section more (a newer C-LARA). */
const backupIni = readFileSync(path.join(clara, 'clara_app/config.ini'), 'utf8')
const firstSection = /^\[([^\]]+)\]$/m.exec(backupIni)![1]
const checkoutIni = backupIni.replace(`[${firstSection}]`, `[${firstSection}]\nadded_by_newer_code = yes`) +
  '\n[tts_newer_section]\nreadspeaker_base_url = https://tts.readspeaker.com/a/speak\n'
mkdirSync(path.join(to, 'clara_app'), { recursive: true })
writeFileSync(path.join(to, 'clara_app/config.ini'), checkoutIni)

const r = await runMain(main, { argv: [run, '--to', to, '--db', `sqlite://${to}/db.sqlite3`, '--sources', '--jobs', '2', '--quiet'] })
const report = JSON.parse(readFileSync(path.join(to, 'restore_report.json'), 'utf8'))

async function configparser(file: string): Promise<Record<string, Record<string, string>>> {
  const py = 'import configparser, json, sys\nc = configparser.ConfigParser(interpolation=None)\nc.read(sys.argv[1])\nprint(json.dumps({s: dict(c._sections[s]) for s in c.sections()}))'
  const p = await spawnTool('python3', ['-c', py, file])
  if (p.code !== 0) throw new Error(p.stderr)
  return JSON.parse(p.stdout)
}

t.test('the restore completes', async (t) => {
  t.equal(r.code, 0, r.stderr)
  t.equal(report.status, 'complete')
  t.same(report.units.failed, [])
  t.equal(report.proof.ok, true)
  t.equal(report.proof.db_early, true, 'the database was proved on a lane while the units restored (no old root found late)')
})

/** The content zip of every rendered normal/phonetic dir under `root`, whether it is there or not. */
const zipPaths = (root: string) => ['clara_compiled', 'clara_compiled_phonetic'].flatMap((top) =>
  readdirSync(path.join(root, top)).filter((n) => /^\d+$/.test(n)).map((id) => `${top}/${id}/content_zipfile_${top === 'clara_compiled' ? 'normal' : 'phonetic'}.zip`)).sort()

t.test('content zips: those the install had, C-LARA layout, the restored pages inside; no other', async (t) => {
  const dirs = zipPaths(to)
  const had = dirs.filter((rel) => existsSync(path.join(clara, rel)))
  t.same(had, ['clara_compiled/37/content_zipfile_normal.zip', 'clara_compiled_phonetic/12/content_zipfile_phonetic.zip'])
  t.ok(dirs.length > had.length, `${dirs.length} rendered dirs, ${had.length} with a content zip`)
  t.same([...report.site.content_zips.built].sort(), had, 'each one the install had is rebuilt (the backup left them out)')
  t.same([...report.site.content_zips.none].sort(), dirs.filter((rel) => !had.includes(rel)), 'the others are listed as none')
  for (const rel of dirs) t.equal(existsSync(path.join(to, rel)), had.includes(rel), `${rel}: there as in the install`)
  for (const rel of had) {
    const z = await ZipReader.open(path.join(to, rel))
    const names = z.entries.map((e) => e.name)
    t.ok(names.includes('START.html') && names.includes('content/') && names.includes('content/multimedia/'), `${rel}: START.html, content/, content/multimedia/`)
    const page = z.entries.find((e) => e.name === 'content/page_1.html')!
    t.same(await z.read(page), readFileSync(path.join(to, path.dirname(rel), 'page_1.html')), `${rel}: the restored page_1.html`)
    t.notOk(names.some((n) => n.endsWith('.zip')), `${rel}: no zip nested`)
    await z.close()
  }
})

t.test('a run of an older backup (no content_zips in its metadata): every rendered dir gets its zip', async (t) => {
  const old = path.join(base, 'older-run')
  await fsp.cp(run, old, { recursive: true })
  for (const unit of readdirSync(path.join(old, 'compiled_exports'))) {
    const f = path.join(old, 'compiled_exports', unit, 'metadata.json')
    if (!existsSync(f)) continue
    const { content_zips: _gone, ...rest } = JSON.parse(readFileSync(f, 'utf8'))
    writeFileSync(f, JSON.stringify(rest, null, 2))
  }
  const into = path.join(base, 'from-older')
  const o = await runMain(main, { argv: [old, '--to', into, '--domains', 'compiled', '--quiet'] })
  t.equal(o.code, 0, o.stderr)
  const rep: Rec = JSON.parse(readFileSync(path.join(into, 'restore_report.json'), 'utf8'))
  const dirs = zipPaths(into)
  t.same([...rep.site.content_zips.built].sort(), dirs, 'which zips existed is not known: every one is built, as before')
  t.same(rep.site.content_zips.none, [])
  for (const rel of dirs) t.ok(existsSync(path.join(into, rel)), rel)
})

t.test("config.ini: the backup's values win, the checkout's extra section and option are kept, and reported", async (t) => {
  const got = await configparser(path.join(to, 'clara_app/config.ini'))
  const back = await configparser(path.join(clara, 'clara_app/config.ini'))
  for (const [s, opts] of Object.entries(back)) t.same({ ...got[s], added_by_newer_code: undefined }, { ...opts, added_by_newer_code: undefined }, `[${s}]: the backup's values`)
  t.equal(got[firstSection].added_by_newer_code, 'yes', 'an option only the checkout has is kept')
  t.same(got.tts_newer_section, { readspeaker_base_url: 'https://tts.readspeaker.com/a/speak' }, 'a section only the checkout has is kept')
  t.match(report.site.config_ini, { merged: true, kept_sections: ['tts_newer_section'], kept_options: [`${firstSection}.added_by_newer_code`] })
  t.ok(report.site.config_ini.from_backup.length > 10, 'the options the backup set are listed')
  t.equal(readFileSync(path.join(to, '.clara-restore/replaced/clara_app/config.ini'), 'utf8'), checkoutIni, "the checkout's own file is kept aside")
})

t.test('pickles: no string of a pickled text names an old root', async (t) => {
  const pk = report.site.pickles
  t.ok(pk.files >= 3, `${pk.files} pickles`)
  t.same(pk.failed, [])
  const olds = [clara, '/home/stm-admmxr/C-LARA', 'C:/cygwin64', 'C:\\cygwin64']
  let strings = 0
  for (const rel of Object.keys(pk.rewritten)) {
    t.ok(existsSync(path.join(to, rel)))
    const texts = parsePickle(readFileSync(path.join(to, rel))).flatMap((o) => (o.text === undefined ? [] : [o.text]))
    strings += texts.length
    t.same(texts.filter((s) => olds.some((o) => s.startsWith(o))), [], `${rel}: no old root`)
  }
  t.ok(Object.keys(pk.rewritten).length > 0 && strings > 0, 'the fixture pickles held old-root paths and were rewritten')
})

t.test('a rerun changes nothing more', async (t) => {
  const again = await runMain(main, { argv: [run, '--to', to, '--db', `sqlite://${to}/db.sqlite3`, '--sources', '--quiet', '--force'] })
  t.equal(again.code, 0, again.stderr)
  const rep: Rec = JSON.parse(readFileSync(path.join(to, 'restore_report.json'), 'utf8'))
  t.same(rep.site.config_ini.kept_sections, ['tts_newer_section'], 'merged again from the checkout copy kept aside')
  t.ok((await configparser(path.join(to, 'clara_app/config.ini'))).tts_newer_section)
})
