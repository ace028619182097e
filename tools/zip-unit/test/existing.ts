import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, lstatSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'

type Rec = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const T = 1_650_000_003
function tree(t: Test): string {
  const dir = t.testdir({ a: { 'x.txt': 'unit a', sub: { 'y.html': '<p>a</p>' } }, b: { 'x.txt': 'unit b' }, runs: {} })
  execFileSync('find', [path.join(dir, 'a'), path.join(dir, 'b'), '-exec', 'touch', '-h', '-d', `@${T}`, '{}', '+'])
  return dir
}
const units = (dir: string, extra = '') => ['a', 'b'].map((u) => ({
  type: 'unit', domain: 'dom', unit: u, archives: [{ name: 'z', sources: [{ dir: path.join(dir, u) }] }], fingerprint_extra: `${u}${extra}`,
}))
const run = async (dest: string, input: unknown[], argv: string[] = []) => {
  const r = await runMain(main, { argv: ['--dest', dest, '--workers', '1', ...argv], input: input as never })
  return { ...r, records: r.records as Rec[] }
}
const stamp = (f: string) => {
  const s = lstatSync(f)
  return { ino: s.ino, mtimeMs: s.mtimeMs }
}
const files = (dest: string, u: string) => ['z.zip', 'metadata.json'].map((f) => path.join(dest, 'dom', u, f))

t.test('--existing skip (default): a rerun rewrites nothing (inode and mtime unchanged) and reports reused', async (t) => {
  const dir = tree(t)
  const dest = path.join(dir, 'runs/r1')
  const first = await run(dest, units(dir))
  t.equal(first.code, 0, first.stderr)
  const before = files(dest, 'a').map(stamp)
  const again = await run(dest, units(dir))
  t.equal(again.code, 0)
  t.same(files(dest, 'a').map(stamp), before)
  const arts = again.records.filter((r) => r.type === 'artifact')
  t.same(arts.map((a) => [a.unit, a.reused, a.sha256]), first.records.filter((r) => r.type === 'artifact').map((a) => [a.unit, true, a.sha256]))
  t.match(again.records.at(-2), { type: 'summary', reused: 2 })
})

t.test('--existing skip rebuilds a unit whose zip no longer matches, or whose metadata.json is missing', async (t) => {
  const dir = tree(t)
  const dest = path.join(dir, 'runs/r1')
  await run(dest, units(dir))
  const [zipA] = files(dest, 'a')
  const [, mdB] = files(dest, 'b')
  const size = lstatSync(zipA).size
  const bytes = readFileSync(zipA)
  bytes[40] ^= 0xff // same size, other bytes
  writeFileSync(zipA, bytes)
  t.equal(lstatSync(zipA).size, size)
  execFileSync('rm', [mdB])
  const r = await run(dest, units(dir))
  t.same(r.records.filter((x) => x.type === 'artifact').map((a) => a.reused ?? false), [false, false])
  t.match(execFileSync('unzip', ['-t', zipA], { encoding: 'utf8' }), /No errors/)
  t.ok(existsSync(mdB))
})

t.test('--existing overwrite rebuilds: new inode, same bytes', async (t) => {
  const dir = tree(t)
  const dest = path.join(dir, 'runs/r1')
  const first = await run(dest, units(dir))
  const ino = stamp(files(dest, 'a')[0]).ino
  const r = await run(dest, units(dir), ['--existing', 'overwrite'])
  t.not(stamp(files(dest, 'a')[0]).ino, ino)
  t.same(r.records.filter((x) => x.type === 'artifact').map((a) => a.sha256), first.records.filter((x) => x.type === 'artifact').map((a) => a.sha256))
})

t.test('--dry-run writes nothing and plans the same artifacts', async (t) => {
  const dir = tree(t)
  const dest = path.join(dir, 'runs/dry')
  const dry = await run(dest, units(dir), ['--dry-run'])
  t.equal(dry.code, 0, dry.stderr)
  t.notOk(existsSync(dest), 'nothing written, not even the directory')
  const real = await run(path.join(dir, 'runs/real'), units(dir))
  const key = (rs: Rec[]) => rs.filter((x) => x.type === 'artifact').map((a) => [a.path, a.size_bytes, a.sha256, a.files])
  t.same(key(dry.records), key(real.records))
  t.ok(dry.records.filter((x) => x.type === 'artifact').every((a) => a.planned === true))
  t.match(dry.records.at(-2), { type: 'summary', planned: true })
  const noDest = await runMain(main, { argv: ['--dry-run', '--workers', '1'], input: units(dir) as never })
  t.equal(noDest.code, 0, 'no --dest needed for a dry run')
})

t.test('--link-dest hard-links unchanged units and rebuilds a changed one', async (t) => {
  const dir = tree(t)
  const prev = path.join(dir, 'runs/r1')
  const next = path.join(dir, 'runs/r2')
  await run(prev, units(dir))
  writeFileSync(path.join(dir, 'b/x.txt'), 'unit b, changed')
  utimesSync(path.join(dir, 'b/x.txt'), T + 60, T + 60)
  const r = await run(next, units(dir), ['--link-dest', prev])
  t.equal(r.code, 0, r.stderr)
  t.same(files(next, 'a').map((f) => lstatSync(f).ino), files(prev, 'a').map((f) => lstatSync(f).ino), 'unit a: same inodes (hard links)')
  t.not(lstatSync(files(next, 'b')[0]).ino, lstatSync(files(prev, 'b')[0]).ino, 'unit b rebuilt')
  t.same(r.records.filter((x) => x.type === 'artifact').map((a) => [a.unit, a.reused ?? false]), [['a', true], ['b', false]])
  t.same(readdirSync(path.join(next, 'dom/a')).sort(), ['metadata.json', 'z.zip'], 'no temp files left')
  const dry = await run(path.join(dir, 'runs/r3'), units(dir, '-new-rows'), ['--link-dest', prev, '--dry-run'])
  t.same(dry.records.filter((x) => x.type === 'artifact').map((a) => a.reused ?? false), [false, false], 'fingerprint_extra (DB rows) counts')
})

t.test('--link-dest to a missing directory warns and builds everything', async (t) => {
  const dir = tree(t)
  const r = await run(path.join(dir, 'runs/r1'), units(dir), ['--link-dest', path.join(dir, 'nope')])
  t.equal(r.code, 0)
  t.match(r.stderr, /link-dest does not exist/)
})
