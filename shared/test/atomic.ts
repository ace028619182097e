import t from 'tap'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promises as fsp, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { AtomicFile, isTempName, sweepTemps, tempNameFor, tempOwner, withAtomicFile, writeFileAtomic, writeJsonAtomic } from '../src/atomic.js'
import { childEnv, sharedModule, writeScript } from '../src/testkit-spawn.js'

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex')

t.test('temp names: hidden, same directory, pid inside, .tmp', async (t) => {
  const tmp = tempNameFor('/a/b/source.zip')
  t.equal(path.dirname(tmp), '/a/b')
  t.match(path.basename(tmp), new RegExp(`^\\.source\\.zip\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`))
  t.ok(isTempName(path.basename(tmp)))
  t.equal(tempOwner(path.basename(tmp)), process.pid)
  t.notOk(isTempName('source.zip'))
  t.notOk(isTempName('.hidden'))
  t.equal(tempOwner('.x.tmp'), undefined)
})

t.test('writeFileAtomic: content, size, sha256 hashed on the way, mode, mtime', async (t) => {
  const dir = t.testdir()
  const file = path.join(dir, 'sub', 'deeper', 'a.bin')
  const data = Buffer.from('hello, atomic world\n')
  const mtime = new Date('2021-03-04T05:06:07Z')
  const r = await writeFileAtomic(file, data, { mode: 0o600, mtime })
  t.same(r, { path: file, size_bytes: data.length, sha256: sha(data) })
  t.same(readFileSync(file), data)
  const st = statSync(file)
  t.equal(st.mode & 0o777, 0o600 & ~process.umask())
  t.equal(st.mtimeMs, mtime.getTime())
  t.same(readdirSync(path.dirname(file)), ['a.bin'], 'no temp left')
  const dflt = await writeFileAtomic(path.join(dir, 'b.txt'), 'x')
  t.equal(statSync(dflt.path).mode & 0o777, 0o640 & ~process.umask(), 'default mode 640')
})

t.test('writeJsonAtomic: 2-space indent and a trailing newline', async (t) => {
  const dir = t.testdir()
  const r = await writeJsonAtomic(path.join(dir, 'index.json'), { version: 1, entries: [{ a: 1 }] })
  t.equal(readFileSync(r.path, 'utf8'), '{\n  "version": 1,\n  "entries": [\n    {\n      "a": 1\n    }\n  ]\n}\n')
})

t.test('AtomicFile: the old file stays until commit, then is replaced whole', async (t) => {
  const dir = t.testdir({ 'out.bin': 'old contents' })
  const file = path.join(dir, 'out.bin')
  const f = await AtomicFile.open(file)
  await f.write(Buffer.alloc(100_000, 1))
  await f.write(new Uint8Array([2, 3]))
  t.equal(readFileSync(file, 'utf8'), 'old contents', 'readers still see the old file')
  t.ok(isTempName(path.basename(f.tmp)))
  const r = await f.commit()
  t.equal(r.size_bytes, 100_002)
  t.equal(r.sha256, sha(readFileSync(file)))
  t.same(readdirSync(dir), ['out.bin'])
  await f.abort() // harmless after commit
  t.equal(statSync(file).size, 100_002)
  await t.rejects(f.write(Buffer.from('x')), /write after close/)
})

t.test('abort and failures leave nothing under the final name', async (t) => {
  const dir = t.testdir()
  const f = await AtomicFile.open(path.join(dir, 'a.zip'))
  await f.write(Buffer.from('partial'))
  await f.abort()
  await f.abort()
  t.same(readdirSync(dir), [])
  await t.rejects(
    withAtomicFile(path.join(dir, 'b.zip'), async (f) => {
      await f.write(Buffer.from('half of it'))
      throw new Error('source vanished')
    }),
    /source vanished/,
  )
  t.same(readdirSync(dir), [], 'no final file, no temp')
  const ok = await withAtomicFile(path.join(dir, 'c.zip'), async (f) => {
    await f.write(Buffer.from('whole'))
    return 42
  })
  t.equal(ok.result, 42)
  t.equal(ok.sha256, sha('whole'))
})

/** A child that writes a big file slowly through AtomicFile and says when it is mid-way. */
function slowWriter(dir: string, target: string): string {
  return writeScript(
    dir,
    'slow-writer',
    `import { AtomicFile } from '${sharedModule('atomic')}'
const f = await AtomicFile.open(${JSON.stringify(target)})
const chunk = Buffer.alloc(1 << 16, 7)
for (let i = 0; ; i++) {
  await f.write(chunk)
  if (i === 16) process.stdout.write('midway\\n')
  await new Promise((r) => setTimeout(r, 2))
}
`,
  )
}

t.test('a writer killed with SIGKILL mid-file leaves no final-named file', async (t) => {
  const dir = t.testdir({ scripts: {}, out: { 'big.bin': 'the previous, complete version' } })
  const target = path.join(dir, 'out', 'big.bin')
  const child = spawn('node', [slowWriter(path.join(dir, 'scripts'), target)], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() })
  await new Promise((resolve) => child.stdout.once('data', resolve))
  const temps = readdirSync(path.join(dir, 'out')).filter(isTempName)
  t.equal(temps.length, 1, 'the writer is writing a temp file')
  child.kill('SIGKILL')
  const [, sig] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])))
  t.equal(sig, 'SIGKILL')
  const names = readdirSync(path.join(dir, 'out')).sort()
  t.equal(names.length, 2)
  t.equal(readFileSync(target, 'utf8'), 'the previous, complete version', 'the final name still holds the old, whole file')
  const tmp = names.find(isTempName)!
  t.match(tmp, new RegExp(`^\\.big\\.bin\\.${child.pid}\\.[0-9a-f]{8}\\.tmp$`))
  t.ok(statSync(path.join(dir, 'out', tmp)).size >= 17 << 16, 'the partial bytes are only in the temp file')
  t.equal(await sweepTemps(path.join(dir, 'out')), 1)
  t.same(readdirSync(path.join(dir, 'out')), ['big.bin'])
})

t.test('a first write killed before commit leaves no final name at all', async (t) => {
  const dir = t.testdir({ scripts: {}, out: {} })
  const target = path.join(dir, 'out', 'new.bin')
  const child = spawn('node', [slowWriter(path.join(dir, 'scripts'), target)], { stdio: ['ignore', 'pipe', 'inherit'], env: childEnv() })
  await new Promise((resolve) => child.stdout.once('data', resolve))
  child.kill('SIGKILL')
  await new Promise((r) => child.on('close', r))
  const names = readdirSync(path.join(dir, 'out'))
  t.equal(names.length, 1)
  t.ok(isTempName(names[0]), `only a temp file: ${names[0]}`)
  t.notOk(names.includes('new.bin'))
})

t.test('sweepTemps keeps temp files of live writers', async (t) => {
  const dir = t.testdir({ 'keep.txt': 'x' })
  // a live process that is not us
  const other = spawn('sleep', ['600']) // alive until the teardown kills it, however slow the machine
  t.teardown(() => other.kill('SIGKILL'))
  const live = `.a.zip.${other.pid}.0123abcd.tmp`
  const dead = `.b.zip.999999999.0123abcd.tmp`
  const ours = `.c.zip.${process.pid}.0123abcd.tmp` // ours, but not an open AtomicFile: leftover
  const odd = '.d.tmp' // no pid: leftover
  for (const n of [live, dead, ours, odd]) writeFileSync(path.join(dir, n), 'partial')
  const open = await AtomicFile.open(path.join(dir, 'e.zip'))
  t.equal(await sweepTemps(dir), 3)
  t.same(readdirSync(dir).sort(), [path.basename(open.tmp), live, 'keep.txt'].sort())
  await open.write(Buffer.from('still writable'))
  await open.commit()
  t.equal(readFileSync(path.join(dir, 'e.zip'), 'utf8'), 'still writable')
  t.equal(await sweepTemps(path.join(dir, 'nope')), 0, 'a missing directory is fine')
  await fsp.rm(path.join(dir, live))
})
