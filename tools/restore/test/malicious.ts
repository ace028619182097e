/**
 * Crafted runs, tried as an attacker would (symlink chains, `./l1/x`, zip-slip, absolute names,
 * hard links out, devices, setuid bits, across two archives and two units, in zips and tars),
 * each run's checksums recomputed after tampering so that only the attack itself can be caught.
 * For each: a canary folder outside NEWCLARA and /etc/passwd keep their contents, modes and link
 * counts; clara-verify --data full exits 12 naming the member; clara-restore names the refused
 * member (or unit) and restores the rest; bombs still refuse their unit; no stack trace anywhere.
 */
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync, promises as fsp, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { hashFile } from '@clara/shared/hash'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { craftTar, legacyUnit, zipUnit, type TarMember } from './craft.js'
import { node } from './kit.js'

/** Far enough up to reach / from anywhere below the test folders. */
const UP = '../'.repeat(40)

async function shards(run: string, list: [string, TarMember[], boolean?][]): Promise<void> {
  const dir = path.join(run, 'audio_cache', 'archives')
  mkdirSync(dir, { recursive: true })
  const entries = []
  for (const [name, members, gz] of list) {
    const file = `${name}.${gz ? 'tgz' : 'tar'}`
    await craftTar(path.join(dir, file), members, gz)
    const h = await hashFile(path.join(dir, file))
    entries.push({ name: file, group: 'tts_audio_part', path: `archives/${file}`, sha256: h.sha256, size_bytes: h.bytes, compression: gz ? 'gzip' : 'none' })
  }
  writeFileSync(path.join(run, 'audio_cache', 'index.json'), JSON.stringify({ groups: { tts_audio_part: { restore_to: 'audio/tts_repository_orm' } }, shards: entries }))
}

/** Every entry below `dir` (never following a link): path, mode, link count, size, and content or link target. */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = []
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name
    const p = path.join(dir, r)
    const st = lstatSync(p)
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'dir'
    out.push(`${r} ${st.mode.toString(8)} ${st.nlink} ${st.size} ${what}`)
    if (st.isDirectory()) out.push(...tree(dir, r))
  }
  return out
}

/** /etc/passwd as an attack would change it: inode, mode, link count, size, content. */
function passwd(): string {
  const st = lstatSync('/etc/passwd')
  return `${st.ino} ${st.mode.toString(8)} ${st.nlink} ${st.size} ${createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex')}`
}

/** A canary folder outside NEWCLARA: a file to overwrite and a folder to chmod. */
function canary(base: string): string {
  const dir = path.join(base, 'canary')
  mkdirSync(path.join(dir, 'sub'), { recursive: true, mode: 0o755 })
  writeFileSync(path.join(dir, 'keep.txt'), 'canary')
  writeFileSync(path.join(dir, 'sub', 'deep.txt'), 'deep')
  return dir
}

const STACK = /^\s+at .+(\(|file:|node:)/m

interface Outcome {
  code: number | null
  records: any[]
  stderr: string
}

async function restore(run: string, to: string, extra: string[]): Promise<Outcome> {
  const r = await runMain(main, { argv: [run, '--to', to, '--quiet', ...extra] })
  return { code: r.code, records: r.records, stderr: r.stderr }
}

async function verify(run: string): Promise<Outcome> {
  const r = await node('verify', [run, '--data', 'full', '--no-state', '--quiet'], 30_000)
  const records = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
  return { code: r.code, records, stderr: r.stderr + r.stdout }
}

/** The members each unit's restore refused: unit → "member: reason" lines; refused units → their reason. */
function refusals(records: any[]): { members: Map<string, string[]>; units: Map<string, string> } {
  const members = new Map<string, string[]>()
  const units = new Map<string, string>()
  for (const r of records) {
    if (r.type === 'restored' && r.refused_members) members.set(String(r.unit).replace(/\.(tar|tgz)$/, ''), r.refused_members.map((m: any) => `${m.member}: ${m.reason}`))
    if (r.type === 'refused') units.set(String(r.unit).replace(/\.(tar|tgz)$/, ''), `${r.member ?? ''}: ${r.reason}`)
  }
  return { members, units }
}

/** What verify failed on, all messages in one text. */
const failedText = (records: any[]) => records.filter((r) => r.type === 'verdict' && !r.ok).map((r) => `${r.item}: ${r.message}`).join('\n')

/** Run restore and verify on the crafted run; the host must not change; no stack trace. */
async function attack(t: Test, base: string, run: string, extra: string[]): Promise<{ r: Outcome; v: Outcome; to: string }> {
  const canaryDir = path.join(base, 'canary')
  const before = [tree(canaryDir), passwd()]
  const to = path.join(base, 'new')
  const r = await restore(run, to, extra)
  t.same([tree(canaryDir), passwd()], before, 'the canary folder and /etc/passwd are unchanged (contents, modes, link counts)')
  t.notOk(existsSync(path.join(base, 'pwned.txt')), 'nothing written beside NEWCLARA')
  t.equal(r.code, 1, 'restore exits 1: something refused, the rest restored')
  t.notMatch(r.stderr, STACK, 'no stack trace from restore')
  const v = await verify(run)
  t.equal(v.code, 12, 'verify --data full exits 12')
  t.notMatch(v.stderr, STACK, 'no stack trace from verify')
  t.same([tree(canaryDir), passwd()], before, 'verify changed nothing either')
  return { r, v, to }
}

t.test('zips: link chains, ./ names, zip-slip, absolute names, setuid, across two archives and two units; bombs refuse their unit', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  const cdir = canary(base)
  const crel = cdir.slice(1)
  await legacyUnit(run, 'good', [{ name: 'page_1.html', data: '<p>ok</p>' }, { name: 'media/', kind: 'dir' }, { name: 'media/a.mp3', data: 'mp3' }, { name: 'self', kind: 'symlink', data: 'page_1.html' }])
  await legacyUnit(run, 'chain', [
    { name: 'l2', kind: 'symlink', data: '.' },
    { name: 'l1', kind: 'symlink', data: `l2/${UP}${crel}` },
    { name: 'l1/pwned.txt', data: 'pwned' },
    { name: './l1/keep.txt', data: 'pwned' },
    { name: 'l1/sub/', kind: 'dir', mode: 0o777 },
    { name: 'ok.txt', data: 'fine' },
  ])
  await legacyUnit(run, 'slip', [{ name: 'ok.txt', data: 'fine' }, { name: `${UP}${crel}/pwned.txt`, data: 'pwned' }])
  await legacyUnit(run, 'absolute', [{ name: 'ok.txt', data: 'fine' }, { name: `${cdir}/pwned.txt`, data: 'pwned' }])
  await legacyUnit(run, 'odd-names', [{ name: 'ok.txt', data: 'fine' }, { name: '..\\..\\win.txt', data: 'pwned' }, { name: 'C:/x.txt', data: 'pwned' }])
  await zipUnit(run, 'two-archives', [[{ name: 'l1', kind: 'symlink', data: cdir }], [{ name: 'l1/pwned.txt', data: 'pwned' }, { name: './l1/keep.txt', data: 'pwned' }, { name: 'ok.txt', data: 'fine' }]])
  await zipUnit(run, 'unit-a', [[{ name: 'l1', kind: 'symlink', data: cdir }, { name: 'ok.txt', data: 'fine' }]])
  await zipUnit(run, 'unit-b', [[{ name: 'pwned.txt', data: 'pwned' }, { name: 'sub/keep.txt', data: 'pwned' }]], 'LARA_legacy/unit-a/l1/sub')
  await legacyUnit(run, 'setuid', [{ name: 'tool', data: '#!/bin/sh\n', mode: 0o4755 }, { name: 'shared/', kind: 'dir', mode: 0o3777 }, { name: 'shared/f', data: 'f', mode: 0o2644 }])
  const big = 'x'.repeat(200_000)
  await legacyUnit(run, 'ratio-bomb', [{ name: 'bomb.bin', data: big, deflate: true, declaredSize: 2 ** 31 }])
  await legacyUnit(run, 'overlap-bomb', [{ name: 'a.bin', data: big, deflate: true }, { name: 'b.bin', sameDataAs: 0 }, { name: 'c.bin', sameDataAs: 0 }])
  await legacyUnit(run, 'lying-size', [{ name: 'grows.bin', data: big, deflate: true, declaredSize: 100 }])

  const { r, v, to } = await attack(t, base, run, ['--domains', 'legacy'])
  const { members, units } = refusals(r.records)
  const legacy = path.join(to, 'LARA_legacy')
  t.match(members.get('chain'), [/^l1\/pwned\.txt: passes through the symlink l1/, /^\.\/l1\/keep\.txt: passes through the symlink l1/, /^l1\/sub\/: passes through the symlink l1/], 'chain: each member through the link is named')
  t.equal(readlinkSync(path.join(legacy, 'chain/l1')), `l2/${UP}${crel}`, 'chain: the links themselves come back verbatim')
  t.equal(readlinkSync(path.join(legacy, 'chain/l2')), '.')
  t.equal(readFileSync(path.join(legacy, 'chain/ok.txt'), 'utf8'), 'fine', 'chain: the rest of the unit is restored')
  t.match(members.get('slip'), [/'\.\.' component/])
  t.match(members.get('absolute'), [/absolute path/])
  t.match(members.get('odd-names'), [/backslash in name/, /drive letter/])
  t.match(members.get('two-archives'), [/^l1\/pwned\.txt: passes through the symlink l1/, /^\.\/l1\/keep\.txt: passes through the symlink l1/], 'across two archives of one unit')
  t.equal(readFileSync(path.join(legacy, 'two-archives/ok.txt'), 'utf8'), 'fine')
  t.match(units.get('unit-b'), /LARA_legacy\/unit-a\/l1 is a symlink: nothing is written through it/, 'across two units: the later unit is refused')
  t.equal(readlinkSync(path.join(legacy, 'unit-a/l1')), cdir, 'an absolute link is restored as it was')
  for (const ok of ['chain', 'slip', 'absolute', 'two-archives']) t.equal(readFileSync(path.join(legacy, ok, 'ok.txt'), 'utf8'), 'fine', `${ok}: the safe members restored`)
  t.equal(lstatSync(path.join(legacy, 'setuid/tool')).mode & 0o7777, 0o755, 'setuid dropped')
  t.equal(lstatSync(path.join(legacy, 'setuid/shared')).mode & 0o7777, 0o777, 'setgid and sticky dropped from a folder')
  t.equal(lstatSync(path.join(legacy, 'setuid/shared/f')).mode & 0o7777, 0o644, 'setgid dropped from a file')
  for (const [name, why] of [['ratio-bomb', /decompression bomb/], ['overlap-bomb', /decompression bomb/], ['lying-size', /more data than its declared size/]] as const) {
    t.match(units.get(name), why, `${name}: the whole unit is refused`)
    t.notOk(existsSync(path.join(legacy, name)), `${name}: nothing under its target`)
  }
  t.equal(readlinkSync(path.join(legacy, 'good/self')), 'page_1.html', 'the good unit is restored')
  t.same(stagesUnder(to), [], 'no stage left behind')
  const report = JSON.parse(await fsp.readFile(path.join(to, 'restore_report.json'), 'utf8'))
  t.equal(report.status, 'partial')
  t.equal(report.modes_changed, 3, 'the report counts the modes changed')
  t.same(report.links_outside.links.map((l: any) => l.path).sort(), ['LARA_legacy/chain/l1', 'LARA_legacy/two-archives/l1', 'LARA_legacy/unit-a/l1'], 'the report lists the links pointing outside NEWCLARA')
  t.equal(report.links_outside.count, 3)
  t.ok(report.units.members_refused.some((m: any) => m.unit === 'chain' && m.member === 'l1/pwned.txt'), 'the report names the refused members')
  const again = await restore(run, to, ['--domains', 'legacy'])
  t.equal(again.code, 1, 'a rerun skips the finished units and still exits 1')
  t.same(refusals(again.records).members, members, 'a rerun names the same refused members')
  const failed = failedText(v.records)
  for (const m of ['l1/pwned.txt', './l1/keep.txt', `${UP}${crel}/pwned.txt`, `${cdir}/pwned.txt`, 'C:/x.txt', 'setuid', 'bomb.bin', 'grows.bin']) t.ok(failed.includes(m), `verify names ${m}`)
  t.match(failed, /legacy_zips\/unit-b: .*restore target LARA_legacy\/unit-a\/l1\/sub lies below the symlink LARA_legacy\/unit-a\/l1 that legacy_zips\/unit-a restores/, 'verify: a target through another unit\'s link')
  t.notOk(v.records.some((x) => x.type === 'verdict' && !x.ok && /legacy_zips\/good\b/.test(x.item)), 'verify finds nothing wrong with the good unit')
})

t.test('tars: link chains, ./ names, hard links out, devices and FIFOs, setuid, across two shards; over budget refuses its shard', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  const cdir = canary(base)
  const crel = cdir.slice(1)
  await shards(run, [
    ['good', [{ name: 'google/en-GB/v/a.mp3', data: 'A' }, { name: 'google/en-GB/v/b.mp3', type: 'link', linkname: 'google/en-GB/v/a.mp3' }], true],
    ['chain', [
      { name: 'l2', type: 'symlink', linkname: '.' },
      { name: 'l1', type: 'symlink', linkname: `l2/${UP}${crel}` },
      { name: 'l1/pwned.mp3', data: 'pwned' },
      { name: './l1/keep.txt', data: 'pwned' },
      { name: 'l1/sub/', type: 'directory', mode: 0o777 },
      { name: 'ok1.mp3', data: 'x' },
    ]],
    ['slip', [{ name: 'ok2.mp3', data: 'x' }, { name: `${UP}${crel}/pwned.txt`, data: 'pwned' }, { name: `${cdir}/pwned.txt`, data: 'pwned' }]],
    ['hardlinks', [{ name: 'pw', type: 'link', linkname: '/etc/passwd' }, { name: 'k', type: 'link', linkname: `${cdir}/keep.txt` }, { name: 'later', type: 'link', linkname: 'ok3.mp3' }, { name: 'ok3.mp3', data: 'x' }]],
    ['devices', [{ name: 'f', type: 'fifo' }, { name: 'zero', type: 'character-device' }, { name: 'ok4.mp3', data: 'x', mode: 0o6755 }]],
    ['unit-1', [{ name: 'g', type: 'symlink', linkname: cdir }]],
    ['unit-2', [{ name: 'g/pwned.mp3', data: 'pwned' }, { name: 'g/sub/deep.txt', data: 'pwned' }, { name: 'ok5.mp3', data: 'x' }], true],
    ['too-big', [{ name: 'big.mp3', data: 'y'.repeat(5000) }]],
  ])
  const { r, v, to } = await attack(t, base, run, ['--domains', 'audio', '--max-unit-bytes', '4096'])
  const { members, units } = refusals(r.records)
  t.match(members.get('chain'), [/^l1\/pwned\.mp3: passes through the symlink l1/, /^\.\/l1\/keep\.txt: passes through the symlink l1/, /^l1\/sub\/: passes through the symlink l1/])
  t.match(members.get('slip'), [/'\.\.' component/, /absolute path/])
  t.match(members.get('hardlinks'), [/^pw: hard link target: absolute path/, /^k: hard link target: absolute path/, /^later: hard link to ok3\.mp3, which is not a file of its archive before it/])
  t.match(members.get('devices'), [/^f: a fifo member/, /^zero: a character-device member/])
  t.match(members.get('unit-2'), [/^audio\/tts_repository_orm\/g: would pass through a symlink/], 'across two units: the later shard names what it left out')
  t.match(units.get('too-big'), /expands to more than 4096 bytes/, 'over budget: the shard is refused')
  const root = path.join(to, 'audio/tts_repository_orm')
  t.equal(readlinkSync(path.join(root, 'l1')), `l2/${UP}${crel}`, 'links come back verbatim')
  t.equal(readlinkSync(path.join(root, 'g')), cdir)
  for (const f of ['ok1.mp3', 'ok2.mp3', 'ok3.mp3', 'ok4.mp3', 'ok5.mp3', 'google/en-GB/v/a.mp3']) t.ok(lstatSync(path.join(root, f)).isFile(), `${f} restored`)
  t.equal(lstatSync(path.join(root, 'ok4.mp3')).mode & 0o7777, 0o755, 'setuid and setgid dropped')
  t.equal(lstatSync(path.join(root, 'google/en-GB/v/b.mp3')).nlink, 2, 'an inside hard link is kept')
  t.notOk(existsSync(path.join(root, 'pw')) || existsSync(path.join(root, 'f')) || existsSync(path.join(root, 'zero')), 'no hard link out, no device, no FIFO')
  t.same(stagesUnder(to), [], 'no stage left behind')
  const failed = failedText(v.records)
  for (const m of ['l1/pwned.mp3', './l1/keep.txt', 'pw: hard link target', 'a fifo member', 'a character-device member', 'g/pwned.mp3', 'setuid']) t.ok(failed.includes(m), `verify names ${m}`)
})

t.test('targets and artifacts: unsafe restore-to paths, infra names, artifacts outside the run, FIFO and /dev/zero: refused cleanly, the rest goes on', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  canary(base)
  await legacyUnit(run, 'good', [{ name: 'a.txt', data: 'a' }])
  await zipUnit(run, 'app-code', [[{ name: 'manage.py', data: 'pwned' }]], 'clara_app')
  await zipUnit(run, 'outward', [[{ name: 'x.txt', data: 'pwned' }]], '../outside')
  await legacyUnit(run, 'fifo', [{ name: 'a.txt', data: 'a' }])
  await legacyUnit(run, 'zero', [{ name: 'a.txt', data: 'a' }])
  await legacyUnit(run, 'elsewhere', [{ name: 'a.txt', data: 'a' }])
  // the artifacts replaced, their metadata kept: a FIFO, a link to /dev/zero, a path out of the run
  const fifo = path.join(run, 'legacy_zips/fifo/legacy.zip')
  await fsp.rm(fifo)
  const { execFileSync } = await import('node:child_process')
  execFileSync('mkfifo', [fifo])
  const zero = path.join(run, 'legacy_zips/zero/legacy.zip')
  await fsp.rm(zero)
  await fsp.symlink('/dev/zero', zero)
  const meta = path.join(run, 'legacy_zips/elsewhere/metadata.json')
  const doc = JSON.parse(readFileSync(meta, 'utf8'))
  doc.archives[0].path = '../../etc/passwd'
  writeFileSync(meta, JSON.stringify(doc))
  mkdirSync(path.join(run, 'infra'), { recursive: true })
  writeFileSync(path.join(run, 'infra/crontab.txt'), 'x')
  const h = await hashFile(path.join(run, 'infra/crontab.txt'))
  writeFileSync(path.join(run, 'infra/index.json'), JSON.stringify({ entries: [{ name: '../manage.py', path: 'infra/crontab.txt', sha256: h.sha256, size_bytes: h.bytes }] }))
  const to = path.join(base, 'new')
  // a FIFO opened to read would block for good: kit.ts's hang guard would kill it, and show as the signal
  const r = await node('restore', [run, '--to', to, '--domains', 'legacy,infra', '--quiet'])
  t.equal(r.signal, null, 'restore ended by itself (not killed: nothing blocked on the FIFO)')
  t.equal(r.code, 1, 'exit 1: those units refused, the rest restored')
  t.notMatch(r.stderr, STACK, 'no stack trace')
  const records = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
  const { units } = refusals(records)
  t.match(units.get('app-code'), /restore target "clara_app" is not inside one of C-LARA's data places/)
  t.match(units.get('outward'), /leaves the root|leaves the new root/)
  t.match(units.get('fifo'), /not a regular file \(a FIFO\)/)
  t.match(units.get('zero'), /a link out of the run \(to \/dev\/zero\)/)
  t.match(units.get('elsewhere'), /the path leaves the run/)
  t.match(units.get('infra'), /infra entry "restored_infra\/\.\.\/manage\.py" is not a name inside restored_infra\/|is not a name inside restored_infra/)
  t.ok(records.some((x) => x.type === 'restored' && x.unit === 'good'), 'the good unit is restored')
  t.notOk(existsSync(path.join(to, 'manage.py')) || existsSync(path.join(to, 'clara_app')) || existsSync(path.join(base, 'outside')), 'no application code replaced, nothing outside')
  const v = await node('verify', [run, '--data', 'full', '--no-state', '--quiet'])
  t.equal(v.signal, null, 'verify ended by itself (not killed: nothing blocked on the FIFO or /dev/zero)')
  t.equal(v.code, 12)
  t.notMatch(v.stderr, STACK, 'no stack trace from verify')
  const failed = failedText(v.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)))
  for (const m of ['a FIFO', '/dev/zero', 'clara_app', 'manage.py']) t.ok(failed.includes(m), `verify names ${m}`)
})

t.test('good shards that share folders merge into one root (folder mtimes from their entries)', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  await shards(run, [
    ['p1', [{ name: 'google/', type: 'directory' }, { name: 'google/v/', type: 'directory' }, { name: 'google/v/a.mp3', data: 'A' }]],
    ['p2', [{ name: 'google/v/b.mp3', data: 'B' }, { name: 'human/x/c.mp3', data: 'C' }], true],
    ['p3', [{ name: 'google/v/d.mp3', data: 'D' }]],
  ])
  const to = path.join(base, 'new')
  const r = await runMain(main, { argv: [run, '--to', to, '--domains', 'audio', '--quiet'] })
  t.equal(r.code, 0, r.stderr)
  const root = path.join(to, 'audio/tts_repository_orm')
  t.same((await fsp.readdir(root, { recursive: true })).sort(), ['google', 'google/v', 'google/v/a.mp3', 'google/v/b.mp3', 'google/v/d.mp3', 'human', 'human/x', 'human/x/c.mp3'])
  t.equal((await fsp.stat(path.join(root, 'google/v/a.mp3'))).mtimeMs, 1704067200000, 'file mtime')
  const again = await runMain(main, { argv: [run, '--to', to, '--domains', 'audio', '--quiet'] })
  t.equal(again.records.filter((x: any) => x.already).length, 3, 'a rerun skips all three')
})

/** Every entry below `dir` whose name marks a restore stage (never following a link). */
function stagesUnder(dir: string): string[] {
  return tree(dir).map((l) => l.split(' ')[0]).filter((p) => /\.clara-restore-[0-9a-f]+\.(tmp|old)$/.test(p))
}
