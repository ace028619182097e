/**
 * Units restored at once (--jobs, issue 16): a restore on three threads ends exactly like one on
 * the main thread alone: the same tree (content, modes, mtimes), the same records in the same
 * order, the same report. Also where units write into one another's targets (a folder, one below
 * it, the same folder again), which keep the plan's order, and with the largest unit (started
 * first) reporting in its place. The rule that orders them (blockers). And SafeTree when two
 * threads make the same folders at once.
 */
import { createHash } from 'node:crypto'
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import t from 'tap'
import { blockers } from '../src/units-step.js'
import { zipUnit, type CraftEntry } from './craft.js'
import { node, REPO, shortDir } from './kit.js'

/** Every entry below `dir`: kind, mode, mtime, and content or link target. */
function tree(dir: string, rel = ''): string[] {
  const out: string[] = []
  for (const name of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name
    if (r === '.clara-restore' || r === 'restore_report.json') continue
    const st = lstatSync(path.join(dir, r))
    if (st.isSymbolicLink()) out.push(`${r} -> ${readlinkSync(path.join(dir, r))}`)
    else if (st.isFile()) out.push(`${r} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(path.join(dir, r))).digest('hex')}`)
    else out.push(`${r}/`, ...tree(dir, r))
  }
  return out
}

const report = (dir: string) => {
  const r = JSON.parse(readFileSync(path.join(dir, 'restore_report.json'), 'utf8'))
  delete r.started_at
  delete r.finished_at
  return r
}

t.test('blockers: a task waits for every earlier one whose target is its own, above or below it', async (t) => {
  const b = blockers([['LARA_legacy/a/b'], ['LARA_legacy/a'], ['audio'], ['LARA_legacy/a/b/c', 'audio/x'], [''], ['images'], ['LARA_legacy/ab']])
  t.same(b.map((x) => [...x].sort((p, q) => p - q)), [[], [0], [], [0, 1, 2], [0, 1, 2, 3], [4], [4]])
})

t.test('--jobs 3 restores what --jobs 1 restores, records in the same order', async (t) => {
  const base = shortDir(t, 'crj')
  const run = path.join(base, 'run')
  const many: CraftEntry[] = Array.from({ length: 300 }, (_, i) => ({ name: `d${i % 7}/f${i}.txt`, data: `file ${i} `.repeat(50), deflate: i % 2 === 0 }))
  await zipUnit(run, 'z_big', [many]) // last in the plan, the largest: started first
  // into one another's targets: x, then x/sub (below it), then x again (replacing it): plan order decides
  await zipUnit(run, 'b_x', [[{ name: 'f1', data: 'one' }, { name: 'sub/keep', data: 'kept?' }]], 'LARA_legacy/x')
  await zipUnit(run, 'c_x_sub', [[{ name: 'new', data: 'below' }]], 'LARA_legacy/x/sub')
  await zipUnit(run, 'd_x_again', [[{ name: 'f2', data: 'two' }, { name: 'sub/', kind: 'dir' }]], 'LARA_legacy/x')
  for (let i = 0; i < 8; i++) {
    await zipUnit(run, `e${i}`, [[{ name: `p${i}.txt`, data: `small ${i}`, mode: 0o600 }, { name: 'ln', kind: 'symlink', data: `p${i}.txt` }, { name: '../out.txt', data: 'unsafe' }]])
  }
  const to = path.join(base, 'new')
  const one = await node('restore', [run, '--to', to, '--domains', 'legacy', '--jobs', '1'])
  t.equal(one.code, 1, 'exit 1: each small unit has an unsafe member')
  t.match(one.stderr, /one unit at a time/)
  renameSync(to, `${to}-1`)
  const three = await node('restore', [run, '--to', to, '--domains', 'legacy', '--jobs', '3'])
  t.equal(three.code, 1)
  t.match(three.stderr, /on 3 threads at once/)
  t.same(tree(to), tree(`${to}-1`), 'the same tree: content, modes, mtimes')
  t.same(three.stdout.split('\n'), one.stdout.split('\n'), 'the same records, in the same order')
  t.same(report(to), report(`${to}-1`), 'the same report')
  t.same(readdirSync(path.join(to, 'LARA_legacy/x')).sort(), ['f2', 'sub'], 'x is the last unit\'s: the plan order held')
  t.same(readdirSync(path.join(to, 'LARA_legacy/x/sub')), [], 'x/sub as the last unit left it')
  t.equal(three.stdout.split('\n').filter((l) => l.includes('"type":"restored"')).map((l) => JSON.parse(l).unit).join(','), 'b_x,c_x_sub,d_x_again,e0,e1,e2,e3,e4,e5,e6,e7,z_big', 'records in plan order')
})

t.test('two threads making the same folders, each through its own SafeTree: neither fails, no link is followed', async (t) => {
  const base = shortDir(t, 'crs')
  const root = path.join(base, 'root')
  mkdirSync(root)
  symlinkSync(base, path.join(root, 'link'))
  const script = path.join(base, 'maker.mjs')
  // a fresh SafeTree for every path: each lstat sees the folder missing, and the other thread may make it first
  writeFileSync(script, `
    import { workerData, parentPort } from 'node:worker_threads'
    import { SafeTree, PathConflict } from ${JSON.stringify(pathToFileURL(path.join(REPO, 'shared/dist/src/safe-tree.js')).href)}
    let refused = 0
    for (let i = 0; i < 3000; i++) {
      const parts = [i % 40 === 0 ? 'link' : 'd' + (i % 37), 'e' + (i % 11), 'f' + i].map((p) => Buffer.from(p))
      try { new SafeTree(workerData).dir(parts) } catch (err) { if (err instanceof PathConflict) refused++; else throw err }
    }
    parentPort.postMessage(refused)
  `)
  const run = () => new Promise<number>((resolve, reject) => {
    const w = new Worker(script, { workerData: root })
    w.once('message', resolve)
    w.once('error', reject)
  })
  const [a, b] = await Promise.all([run(), run()])
  t.same([a, b], [75, 75], 'each thread refused every path through the link, and nothing else')
  t.same(readdirSync(base).sort(), ['maker.mjs', 'root'], 'nothing was made through the link')
  t.equal(readdirSync(root).length, 38, 'the 37 folders and the link')
})
