import t from 'tap'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { makeRun, setLatest, verifyRun } from '@clara/shared/testkit-runs'
import { freePort, startSshd, type Sshd } from '@clara/shared/testkit-sshd'
import { main } from '../src/main.js'
import { runRsync, runsCall } from '../src/rsync.js'

const R1 = '20261126T021500Z'
const R2 = '20261127T021500Z'
const R3 = '20261128T021500Z'
const BIG = 'unchanged project bytes '.repeat(20_000) // ~480 kB, shared by hard link

/** run1; run2 hard-links the unchanged files and changes one; run3 is still being written. */
async function localRuns(root: string): Promise<void> {
  await makeRun(root, R1, { files: { 'source_exports/1/source.zip': BIG, 'source_exports/2/source.zip': 'v1', 'db/clara_db.dump': 'dump 1' } })
  await makeRun(root, R2, { linkFrom: R1, files: { 'source_exports/1/source.zip': BIG, 'source_exports/2/source.zip': 'v2', 'db/clara_db.dump': 'dump 1' } })
  await makeRun(root, R3, { linkFrom: R2, manifest: false, files: { 'db/clara_db.dump': 'in progress' } })
  await setLatest(root, R2)
}

const ino = async (p: string) => (await fsp.stat(p)).ino

async function push(root: string, remote: string, sshd?: Sshd, ...argv: string[]) {
  const env = { PATH: process.env.PATH, ...(sshd ? { CLARA_PUSH_SSH: sshd.sshCommand } : {}) }
  const r = await runMain(main, { argv: ['--root', root, '--remote', remote, ...argv], env })
  return { ...r, records: r.records as Record<string, any>[] }
}

t.test('over SSH: two incremental runs arrive whole, hard links kept, latest switched last', async (t) => {
  const dir = t.testdir()
  const sshd = await startSshd(path.join(dir, 'sshd'))
  t.teardown(() => sshd.stop())
  const root = path.join(dir, 'backups')
  await localRuns(root)
  const off = path.join(dir, 'off site') // a space: rsync must pass the path through the remote shell intact
  const r = await push(root, `${sshd.host}:${off}`, sshd)
  t.equal(r.code, 0, r.stderr)
  t.same((await fsp.readdir(off)).sort(), [R1, R2, 'latest'], 'the unfinished run is not sent')
  t.equal(await fsp.readlink(path.join(off, 'latest')), R2)
  t.equal(await ino(path.join(off, R1, 'source_exports/1/source.zip')), await ino(path.join(off, R2, 'source_exports/1/source.zip')), 'one inode on the remote too')
  t.equal(await ino(path.join(off, R1, 'db/clara_db.dump')), await ino(path.join(off, R2, 'db/clara_db.dump')))
  t.not(await ino(path.join(off, R1, 'source_exports/2/source.zip')), await ino(path.join(off, R2, 'source_exports/2/source.zip')))
  for (const id of [R1, R2]) {
    const v = await verifyRun(path.join(off, id))
    t.ok(v.ok && v.checked === 3, `${id} verifies on the remote ${JSON.stringify(v.problems)}`)
    t.ok(await fsp.access(path.join(off, id, 'manifest.json')).then(() => true), `${id} has its manifest`)
  }
  t.match(r.records.filter((x) => x.type === 'push'), [
    { run: R3, status: 'skipped' },
    { run: R1, status: 'sent' },
    { run: R2, status: 'sent' },
    { latest: R2, status: 'switched' },
  ])

  // the next night: a new run linked to R2 crosses as links to what is already there
  await makeRun(root, R3.replace('28', '29'), { linkFrom: R2, files: { 'source_exports/1/source.zip': BIG, 'source_exports/2/source.zip': 'v3', 'db/clara_db.dump': 'dump 1' } })
  await setLatest(root, R3.replace('28', '29'))
  const next = await push(root, `${sshd.host}:${off}`, sshd)
  t.equal(next.code, 0, next.stderr)
  const R4 = R3.replace('28', '29')
  t.equal(await ino(path.join(off, R4, 'source_exports/1/source.zip')), await ino(path.join(off, R1, 'source_exports/1/source.zip')))
  t.ok(next.records.find((x) => x.type === 'summary')!.bytes < BIG.length, 'the shared file is not sent again')
  t.equal(await fsp.readlink(path.join(off, 'latest')), R4)
  const again = await push(root, `${sshd.host}:${off}`, sshd)
  t.equal(again.records.find((x) => x.type === 'summary')!.files, 0, 'a rerun sends nothing')
})

t.test('a push interrupted half-way is finished by the rerun', async (t) => {
  const dir = t.testdir()
  const root = path.join(dir, 'backups')
  await localRuns(root)
  const off = path.join(dir, 'offsite')
  // what a killed push leaves: R1 whole, R2 without its manifest and with a partial file aside
  t.equal((await push(root, off)).code, 0)
  await fsp.rm(path.join(off, R2), { recursive: true })
  await fsp.symlink(R1, path.join(off, 'latest.new'))
  await fsp.rename(path.join(off, 'latest.new'), path.join(off, 'latest'))
  await fsp.mkdir(path.join(off, R2, 'source_exports/2/.~tmp~'), { recursive: true })
  await fsp.writeFile(path.join(off, R2, 'source_exports/2/.~tmp~/source.zip'), 'v')
  const r = await push(root, off)
  t.equal(r.code, 0, r.stderr)
  t.ok((await verifyRun(path.join(off, R2))).ok)
  t.equal(await fsp.readlink(path.join(off, 'latest')), R2)
  await t.rejects(fsp.access(path.join(off, R2, 'source_exports/2/.~tmp~')), 'the partial file was used and its dir removed')
})

t.test('pass 1 holds the manifests back, so no remote run looks finished early', async (t) => {
  const dir = t.testdir()
  const root = path.join(dir, 'backups')
  await localRuns(root)
  const off = path.join(dir, 'offsite') + '/'
  const r = await runRsync(runsCall(root, [R1, R2], off), process.env)
  t.equal(r.code, 0, r.stderr)
  await t.rejects(fsp.access(path.join(off, R1, 'manifest.json')))
  t.ok(await fsp.access(path.join(off, R1, 'db/index.json')).then(() => true))
})

t.test('failures: unreachable host, nothing to push, dry run, usage', async (t) => {
  const dir = t.testdir()
  const root = path.join(dir, 'backups')
  await localRuns(root)
  const port = await freePort() // nothing listens there
  const env = { PATH: process.env.PATH, CLARA_PUSH_SSH: `ssh -F /dev/null -p ${port} -o BatchMode=yes -o ConnectTimeout=5` }
  const down = await runMain(main, { argv: ['--root', root, '--remote', `root@127.0.0.1:${dir}/off`], env })
  t.equal(down.code, 3)
  t.match(down.stderr, /rsync \(runs\) exit \d+: ssh: connect to host 127\.0\.0\.1.*nothing switched/)
  const dry = await push(root, path.join(dir, 'dry'), undefined, '--dry-run')
  t.equal(dry.code, 0)
  await t.rejects(fsp.access(path.join(dir, 'dry')), 'a dry run sends nothing')
  t.match(dry.records.find((x) => x.run === R1), { status: 'planned' })
  const empty = path.join(dir, 'empty')
  await fsp.mkdir(empty)
  t.equal((await push(empty, path.join(dir, 'x'))).code, 3, 'no finished run')
  t.equal((await push(path.join(dir, 'nope'), path.join(dir, 'x'))).code, 3)
  t.equal((await push(root, 'host::module')).code, 2)
  t.equal((await runMain(main, { argv: ['--root', root] })).code, 2, 'no --remote')
  const help = await runMain(main, { argv: ['--help'] })
  t.equal(help.code, 0)
  t.match(help.stdout, /CLARA_PUSH_SSH/)
})

t.test('the README shows the --help text verbatim', async (t) => {
  const { readFileSync } = await import('node:fs')
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const r = await runMain(main, { argv: ['--help'] })
  t.ok(readme.includes(r.stdout.replace(/\n$/, '')), 'README Usage block = --help')
})
