/**
 * Folders whose names are not UTF-8 (orphans: clara-list-projects gives their paths as bytes):
 * clara-zip-unit archives them, clara-restore writes them back under the exact bytes, with the
 * same claim, aside and marker rules as any target, and their links restored verbatim (the ones
 * leaving NEWCLARA listed in the report).
 */
import { existsSync, lstatSync, mkdirSync, promises as fsp, readdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { hashFile } from '@clara/shared/hash'
import { runMain } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { bin } from './kit.js'
import { craftZip, type CraftEntry } from './craft.js'

const NAME = Buffer.from('caf\xe9-1', 'latin1')
const TWIN = Buffer.from('caf\xe8-1', 'latin1') // the same lossy text as NAME
const ODD = Buffer.from('n\xff.txt', 'latin1')
const MTIME = 1704067200
const cat = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => Buffer.from(p)))
const b64 = (...parts: (string | Buffer)[]) => cat(...parts).toString('base64')
/** Names in a folder, as latin1 text (one character per byte). */
const names = (dir: Buffer | string) => readdirSync(dir, { encoding: 'buffer' }).map((n) => n.toString('latin1')).sort()

t.test('an orphan folder named in bytes: zipped, restored under its exact name with its contents; a foreign one moved aside; a rerun skips it', async (t) => {
  const base = t.testdir({})
  const old = (...rel: (string | Buffer)[]) => cat(path.join(base, 'old') + '/', ...rel)
  for (const [n, body] of [[NAME, 'é'], [TWIN, 'è']] as const) {
    mkdirSync(old('clara_content/', n, '/sub'), { recursive: true })
    mkdirSync(old('clara_content/', n, '/empty'))
    writeFileSync(old('clara_content/', n, '/text.txt'), `${body}\n`)
    utimesSync(old('clara_content/', n, '/text.txt'), MTIME, MTIME)
    writeFileSync(old('clara_content/', n, '/sub/', ODD), 'odd\n')
    symlinkSync('text.txt', old('clara_content/', n, '/link'))
  }
  mkdirSync(old('images/image_repository_orm/', NAME), { recursive: true })
  writeFileSync(old('images/image_repository_orm/', NAME, '/img.png'), 'png')
  const unit = (id: string, n: Buffer, withImages: boolean) => ({
    type: 'unit', domain: 'source_exports', unit: id, archives: [{ name: 'source', sources: [
      { dir_b64: old('clara_content/', n).toString('base64'), prefix: 'project_dir/', restore_to_b64: b64('clara_content/', n) },
      ...(withImages ? [{ dir_b64: old('images/image_repository_orm/', n).toString('base64'), prefix: 'image_repository/', restore_to_b64: b64('images/image_repository_orm/', n) }] : []),
    ] }],
  })
  const run = path.join(base, 'run')
  const input = [unit('orphan-caf_-1~e9', NAME, true), unit('orphan-caf_-1~e8', TWIN, false)].map((r) => JSON.stringify(r)).join('\n') + '\n{"type":"end","count":2}\n'
  const z = await spawnTool(process.execPath, [bin('zip-unit'), '--dest', run, '--quiet'], { env: childEnv(), input })
  t.equal(z.code, 0, z.stderr)

  const to = path.join(base, 'new')
  mkdirSync(cat(to, '/clara_content/', NAME), { recursive: true })
  writeFileSync(cat(to, '/clara_content/', NAME, '/mine.txt'), 'not from the backup')
  const argv = [run, '--to', to, '--domains', 'source', '--quiet']
  const r = await runMain(main, { argv })
  t.equal(r.code, 0, r.stderr)
  const key = `b64:${b64('clara_content/', NAME)}`
  const rec = r.records.find((x: any) => x.type === 'restored' && x.unit === 'orphan-caf_-1~e9') as any
  t.same(rec.targets, [key, `b64:${b64('images/image_repository_orm/', NAME)}`], 'targets named by their bytes')
  t.same(rec.replaced, [key], 'the foreign folder is reported')
  t.same(names(path.join(to, 'clara_content')), ['caf\xe8-1', 'caf\xe9-1'], 'the exact names, no lossy one')
  t.same(names(path.join(to, 'images/image_repository_orm')), ['caf\xe9-1'])
  const got = (...rel: (string | Buffer)[]) => cat(to, '/', ...rel)
  for (const [n, body] of [[NAME, 'é'], [TWIN, 'è']] as const) {
    t.same(names(got('clara_content/', n)), ['empty', 'link', 'sub', 'text.txt'], `${n.toString('latin1')}: every entry`)
    t.equal(readFileSync(got('clara_content/', n, '/text.txt'), 'utf8'), `${body}\n`, 'its own contents')
    t.equal(readFileSync(got('clara_content/', n, '/sub/', ODD), 'utf8'), 'odd\n', 'a name inside that is not UTF-8 either')
    t.equal(readlinkSync(got('clara_content/', n, '/link')).toString(), 'text.txt')
    t.equal(lstatSync(got('clara_content/', n, '/text.txt')).mtimeMs, MTIME * 1000, 'mtime kept')
  }
  t.equal(readFileSync(got('images/image_repository_orm/', NAME, '/img.png'), 'utf8'), 'png')
  t.equal(readFileSync(cat(to, '/.clara-restore/replaced/clara_content/', NAME, '/mine.txt'), 'utf8'), 'not from the backup', 'kept aside under its exact name')
  t.same(names(path.join(to, 'clara_content')).filter((n) => n.includes('clara-restore')), [], 'no stage left')
  const claimed = JSON.parse(await fsp.readFile(path.join(to, '.clara-restore/claimed.json'), 'utf8'))
  t.same(claimed.targets, [`b64:${b64('clara_content/', TWIN)}`, `b64:${b64('images/image_repository_orm/', NAME)}`], 'absent targets claimed by their bytes')

  const again = await runMain(main, { argv })
  t.equal(again.code, 0, again.stderr)
  t.same(again.records.filter((x: any) => x.type === 'restored').map((x: any) => Boolean(x.already)), [true, true], 'the markers hold: both skipped')
})

/** A source_exports unit of one crafted zip restored to the bytes `to`. */
async function byteUnit(run: string, name: string, to: Buffer, entries: CraftEntry[]): Promise<void> {
  const dir = path.join(run, 'source_exports', name)
  mkdirSync(dir, { recursive: true })
  craftZip(path.join(dir, 'source.zip'), entries)
  const { sha256 } = await hashFile(path.join(dir, 'source.zip'))
  const restore = [{ prefix: '', to: to.toString('utf8'), to_b64: to.toString('base64') }]
  writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify({ version: 1, domain: 'source_exports', unit: name, archives: [{ name: 'source', path: `source_exports/${name}/source.zip`, sha256, restore }] }))
}

t.test('a byte target is checked like any: its links restored verbatim (exact bytes, wherever they point; the ones leaving NEWCLARA listed), `..` and odd parents rejected', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  const cases: [string, Buffer][] = [
    ['twin', cat('../', TWIN, '/x')],
    ['utf8-twin', Buffer.from('../café-1/x')],
    ['up', Buffer.from('../../..')],
    ['self', cat('../', NAME, '-self/a.txt')],
  ]
  for (const [name, link] of cases) await byteUnit(run, name, cat('clara_content/', NAME, `-${name}`), [{ name: 'l', kind: 'symlink', data: link }, { name: 'a.txt', data: 'a' }])
  const to = path.join(base, 'new')
  const r = await runMain(main, { argv: [run, '--to', to, '--domains', 'source', '--quiet'] })
  t.equal(r.code, 0, `exit 0: every unit restored (${r.stderr})`)
  for (const [name, link] of cases) {
    t.same(readlinkSync(cat(to, '/clara_content/', NAME, `-${name}/l`), { encoding: 'buffer' }), link, `${name}: the link's exact bytes`)
    t.equal(readFileSync(cat(to, '/clara_content/', NAME, `-${name}/a.txt`), 'utf8'), 'a')
  }
  const report = JSON.parse(readFileSync(path.join(to, 'restore_report.json'), 'utf8'))
  t.equal(report.links_outside.count, 1, 'only the link climbing out of NEWCLARA is listed')
  t.match(report.links_outside.links[0], { target: '../../..' })

  for (const [name, bad, why] of [['slip', cat('../', NAME), /leaves the root/], ['parent', cat('clara_content/', NAME, '/x'), /folder above its last name is not UTF-8/]] as const) {
    const run2 = path.join(base, `run-${name}`)
    await byteUnit(run2, name, bad, [{ name: 'a.txt', data: 'a' }])
    const to2 = path.join(base, `new-${name}`)
    const r2 = await runMain(main, { argv: [run2, '--to', to2, '--domains', 'source', '--quiet'] })
    t.not(r2.code, 0, `${name}: not restored`)
    t.match(r2.stderr, why)
    t.notOk(existsSync(cat(base, '/', NAME)), `${name}: nothing outside the root`)
    t.notOk(existsSync(path.join(to2, 'clara_content')), `${name}: nothing written`)
  }
})

t.test('loose files named in bytes (file_b64): zipped, restored to their exact names and contents beside a UTF-8 one; a foreign file moved aside; a rerun skips them', async (t) => {
  const base = t.testdir({})
  const old = (...rel: (string | Buffer)[]) => cat(path.join(base, 'old') + '/', ...rel)
  mkdirSync(old('LARA_legacy'), { recursive: true })
  for (const [n, body] of [[NAME, 'é'], [TWIN, 'è'], ['plain.txt', 'plain']] as const) {
    writeFileSync(old('LARA_legacy/', n), `${body}\n`)
    utimesSync(old('LARA_legacy/', n), MTIME, MTIME)
  }
  const src = (n: Buffer) => ({ file_b64: old('LARA_legacy/', n).toString('base64'), path_b64: n.toString('base64'), restore_to_b64: b64('LARA_legacy/', n) })
  const rec = { type: 'unit', domain: 'legacy_zips', unit: '_loose_files', archives: [{ name: 'legacy', sources: [
    src(TWIN), src(NAME), { file: old('LARA_legacy/plain.txt').toString(), path: 'plain.txt', restore_to: 'LARA_legacy/plain.txt' },
  ] }] }
  const run = path.join(base, 'run')
  const z = await spawnTool(process.execPath, [bin('zip-unit'), '--dest', run, '--quiet'], { env: childEnv(), input: `${JSON.stringify(rec)}\n{"type":"end","count":1}\n` })
  t.equal(z.code, 0, z.stderr)

  const to = path.join(base, 'new')
  mkdirSync(path.join(to, 'LARA_legacy'), { recursive: true })
  writeFileSync(cat(to, '/LARA_legacy/', NAME), 'not from the backup')
  const argv = [run, '--to', to, '--domains', 'legacy', '--quiet']
  const r = await runMain(main, { argv })
  t.equal(r.code, 0, r.stderr)
  const key = `b64:${b64('LARA_legacy/', NAME)}`
  const done = r.records.find((x: any) => x.type === 'restored' && x.unit === '_loose_files') as any
  t.same(done.targets, [`b64:${b64('LARA_legacy/', TWIN)}`, key, 'LARA_legacy/plain.txt'], 'targets named by their bytes')
  t.same(done.replaced, [key], 'the foreign file is reported')
  t.same(names(path.join(to, 'LARA_legacy')), ['caf\xe8-1', 'caf\xe9-1', 'plain.txt'], 'the exact names, no lossy one, no stage left')
  for (const [n, body] of [[NAME, 'é'], [TWIN, 'è'], ['plain.txt', 'plain']] as const) {
    t.equal(readFileSync(cat(to, '/LARA_legacy/', n), 'utf8'), `${body}\n`, 'its own contents')
    t.equal(lstatSync(cat(to, '/LARA_legacy/', n)).mtimeMs, MTIME * 1000, 'mtime kept')
  }
  t.equal(readFileSync(cat(to, '/.clara-restore/replaced/LARA_legacy/', NAME), 'utf8'), 'not from the backup', 'kept aside under its exact name')

  const again = await runMain(main, { argv })
  t.equal(again.code, 0, again.stderr)
  t.same(again.records.filter((x: any) => x.type === 'restored').map((x: any) => Boolean(x.already)), [true], 'the markers hold: skipped')
})
