import t from 'tap'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { makeRun, setLatest, verifyRun } from '@clara/shared/testkit-runs'
import { main } from '../src/main.js'

const day = (d: number, hh = '02') => `202611${String(d).padStart(2, '0')}T${hh}0000Z`

/** `n` incremental runs, one a day from Nov 1: a big file shared by all, one file changing daily. */
async function series(root: string, n: number): Promise<string[]> {
  const ids: string[] = []
  for (let d = 1; d <= n; d++) {
    const id = day(d)
    await makeRun(root, id, {
      linkFrom: ids.at(-1),
      files: {
        'source_exports/1/source.zip': 'the same bytes every day '.repeat(400),
        'source_exports/2/source.zip': `changed on day ${d}`,
        'db/clara_db.dump': d < 10 ? 'old dump' : 'new dump',
      },
    })
    ids.push(id)
  }
  await setLatest(root, ids.at(-1)!)
  return ids
}

async function bytesOfSingleLinks(dir: string): Promise<number> {
  let n = 0
  for (const e of await fsp.readdir(dir, { recursive: true })) {
    const st = await fsp.lstat(path.join(dir, e))
    if (st.isFile() && st.nlink === 1) n += st.size
  }
  return n
}

const dirs = async (root: string) => (await fsp.readdir(root)).sort()
/** Run clara-prune; records loosely typed for the assertions. */
async function prune(root: string, ...argv: string[]) {
  const r = await runMain(main, { argv: ['--root', root, '--now', '2026-11-21T00:00:00Z', ...argv] })
  return { ...r, records: r.records as Record<string, any>[] }
}

t.test('dry run (the default) lists deletions and deletes nothing', async (t) => {
  const root = t.testdir()
  await series(root, 12)
  await fsp.mkdir(path.join(root, 'notes'))
  const before = await dirs(root)
  const r = await prune(root, '--daily', '3', '--weekly', '2')
  t.equal(r.code, 0, r.stderr)
  t.same(await dirs(root), before, 'every directory is still there')
  const del = r.records.filter((x) => x.type === 'prune' && x.action === 'delete')
  // daily: 10, 11, 12; weekly: W46 (9–15) → 12, W45 (2–8) → 8
  t.same(del.map((x) => x.run), [7, 6, 5, 4, 3, 2, 1].map((d) => day(d)).concat([9].map((d) => day(d))).sort().reverse())
  t.ok(del.every((x) => x.dry_run === true))
  t.match(r.stderr, /would delete 20261101T020000Z: not among/)
  t.match(r.stderr, /dry run: would delete 8 of 12 runs/)
  const sum = r.records.find((x) => x.type === 'summary')!
  t.match(sum, { tool: 'clara-prune', deleted: 8, kept: 4, dry_run: true, failed: 0 })
  // here every file of a doomed run is either unshared or also linked from a kept run
  let unshared = 0
  for (const x of del) unshared += await bytesOfSingleLinks(path.join(root, x.run as string))
  t.equal(sum.bytes, unshared, 'only bytes no kept run shares would be freed')
  t.ok(unshared < 8 * 10_000, 'the 10 kB shared file is not counted')
  t.same(r.records.at(-1), { type: 'end', count: r.records.length - 1 })
  t.notMatch(r.stdout, /would delete/, 'stdout carries records only')
})

t.test('--delete removes runs; hard-linked files stay intact in the runs that remain', async (t) => {
  const root = t.testdir()
  const ids = await series(root, 12)
  const shared = path.join(root, ids[11], 'source_exports/1/source.zip')
  t.equal((await fsp.stat(shared)).nlink, 12, 'one inode shared by twelve runs')
  const r = await prune(root, '--daily', '3', '--weekly', '2', '--delete')
  t.equal(r.code, 0, r.stderr)
  t.same(await dirs(root), [day(8), day(10), day(11), day(12), 'latest'])
  t.equal((await fsp.stat(shared)).nlink, 4)
  for (const id of [day(8), day(10), day(11), day(12)]) {
    const v = await verifyRun(path.join(root, id))
    t.ok(v.ok && v.checked === 3, `${id} still verifies ${JSON.stringify(v.problems)}`)
  }
  t.equal(await fsp.readlink(path.join(root, 'latest')), day(12))
  t.match(r.stderr, /deleted 20261101T020000Z/)
  const again = await prune(root, '--daily', '3', '--weekly', '2', '--delete')
  t.equal(again.records.filter((x) => x.action === 'delete').length, 0, 'a second prune finds nothing more')
})

t.test('a newest run that is partial, or unfinished, no longer stops retention', async (t) => {
  const cases: [string, Parameters<typeof makeRun>[2]['manifest'], string][] = [
    ['partial', { status: 'partial', totals: { units: 3, bytes: 3, failures: 1 } }, 'newest complete full-selection run'],
    ['unfinished', false, 'unfinished (may be in progress or resumable)'],
  ]
  for (const [name, manifest, reason] of cases) {
    const root = t.testdir()
    await series(root, 9)
    await makeRun(root, day(20), { linkFrom: day(9), files: { 'db/clara_db.dump': 'x' }, manifest })
    const r = await prune(root, '--daily', '1', '--weekly', '0', '--delete')
    t.equal(r.code, 0, name)
    t.same(await dirs(root), [day(9), day(20), 'latest'], `${name}: the old runs go`)
    t.equal(r.records.find((x) => x.run === day(20))?.reason, reason.startsWith('newest') ? `${reason}; daily 2026-11-20` : reason)
    t.match(r.records.find((x) => x.run === day(9))?.reason, name === 'partial' ? /^latest points to it$/ : /newest complete full-selection run; latest points to it; daily 2026-11-09/)
  }
})

t.test('pins, latest and unfinished runs survive even daily 0 / weekly 0', async (t) => {
  const root = t.testdir()
  await series(root, 6)
  await fsp.writeFile(path.join(root, day(2), 'keep'), 'audit copy\n')
  await fsp.rm(path.join(root, day(4), 'manifest.json')) // died before its end
  await setLatest(root, day(3))
  const r = await prune(root, '--daily', '0', '--weekly', '0', '--delete')
  t.equal(r.code, 0, r.stderr)
  t.same(await dirs(root), [day(2), day(3), day(4), day(6), 'latest'])
  const why = Object.fromEntries(r.records.filter((x) => x.type === 'prune').map((x) => [x.run, x.reason]))
  t.same(why, {
    [day(6)]: 'newest complete full-selection run',
    [day(5)]: 'not among the newest 0 daily / 0 weekly complete full-selection runs',
    [day(4)]: 'unfinished (may be in progress or resumable)',
    [day(3)]: 'latest points to it',
    [day(2)]: 'pinned by a keep file',
    [day(1)]: 'not among the newest 0 daily / 0 weekly complete full-selection runs',
  })
  const old = await prune(root, '--daily', '0', '--weekly', '0', '--delete', '--delete-unfinished', '7d')
  t.equal(old.code, 0)
  t.same(await dirs(root), [day(2), day(3), day(6), 'latest'], 'an unfinished run older than 7 days goes with --delete-unfinished')
})

t.test('a .deleting- leftover (crash mid-delete) is finished by the next --delete', async (t) => {
  const root = t.testdir()
  await series(root, 2)
  await fsp.rename(path.join(root, day(1)), path.join(root, '.deleting-' + day(1)))
  const dry = await prune(root)
  t.match(dry.records.find((x) => x.run === '.deleting-' + day(1)), { action: 'delete', reason: 'left over by an interrupted prune', dry_run: true })
  t.ok(await fsp.stat(path.join(root, '.deleting-' + day(1))), 'dry run leaves it')
  const r = await prune(root, '--delete')
  t.equal(r.code, 0)
  t.same(await dirs(root), [day(2), 'latest'])
  t.ok((await verifyRun(path.join(root, day(2)))).ok)
})

t.test('usage and fatal errors', async (t) => {
  const root = t.testdir()
  const help = await runMain(main, { argv: ['--help'] })
  t.equal(help.code, 0)
  t.match(help.stdout, /--delete-unfinished/)
  t.equal((await runMain(main, { argv: [] })).code, 2, 'no --root')
  t.equal((await prune(root, '--daily', '-1')).code, 2)
  t.equal((await prune(root, '--weekly', '1.5')).code, 2)
  t.equal((await runMain(main, { argv: ['--root', root, '--now', 'yesterday-ish'] })).code, 2)
  t.equal((await prune(root, '--delete-unfinished', 'soon')).code, 2)
  const missing = await prune(path.join(root, 'nope'))
  t.equal(missing.code, 3)
  t.match(missing.stderr, /no such directory/)
  const empty = await prune(root)
  t.equal(empty.code, 0)
  t.match(empty.records, [{ type: 'summary', deleted: 0, kept: 0 }, { type: 'end' }])
})

t.test('the README shows the --help text verbatim', async (t) => {
  const { readFileSync } = await import('node:fs')
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const r = await runMain(main, { argv: ['--help'] })
  t.ok(readme.includes(r.stdout.replace(/\n$/, '')), 'README Usage block = --help')
})
