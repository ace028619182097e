/**
 * File reads in flight (tar-writer.ts Reads): on the thread pool (reads 'pool', what a cold cache
 * gets) the archive and listing are the same bytes as with reads here, several reads are in flight
 * at once, and a file that fails while read is taken back or retried just as well. Files are
 * checked after reading only (no fstat before, no probe read past the end).
 */
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import type { FaultHook } from '@clara/shared/source-file'
import { statEntry } from '@clara/shared/walk'
import { WriterThread } from '../src/archive-sink.js'
import { makeJob, writeJob, type JobContext } from '../src/archive-job.js'
import { sortByPath, type Member } from '../src/member.js'
import { main } from '../src/main.js'
import { writeMembers } from '../src/members-file.js'
import { writeArchive, type ArchiveOptions } from '../src/tar-writer.js'
import { bytes, put, readJson, readMembers, scratch, sha256File, untar } from './helpers.js'

/** 120 files: small ones of many sizes (some exactly 512-byte multiples), empty ones, three over 1 MiB. */
function tree(src: string): string[] {
  const names: string[] = []
  for (let i = 0; i < 120; i++) {
    const size = i % 40 === 7 ? (1 << 20) * 2 + 333 * i : i % 17 === 0 ? 0 : i % 5 === 0 ? 512 * i : 700 + 911 * i
    const name = `v${i % 4}/f${String(i).padStart(3, '0')}.mp3`
    put(src, name, bytes(i, size), 1_700_000_000 + i)
    names.push(name)
  }
  return names
}

async function members(src: string, names: string[]): Promise<Member[]> {
  const ms = await Promise.all(names.map(async (n) => ({ name: n, nameBytes: Buffer.from(n), entry: await statEntry(Buffer.from(path.join(src, n)), Buffer.from(n)) })))
  return sortByPath(ms)
}

async function write(dir: string, name: string, ms: Member[], opts: Partial<ArchiveOptions> & { thread: WriterThread }) {
  const file = path.join(dir, `${name}.tar`)
  const listing = (rows: Parameters<typeof writeMembers>[1]) => writeMembers(path.join(dir, `${name}.members.ndjson`), rows)
  const res = await writeArchive(file, ms, { gzip: false, listing, ...opts })
  return { res, tar: fs.readFileSync(file), list: fs.readFileSync(path.join(dir, `${name}.members.ndjson`)) }
}

t.test('reads on the thread pool: the same archive and listing bytes as reads here, several reads in flight', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  const names = tree(src)
  const thread = new WriterThread()
  t.teardown(() => thread.close())
  const here = await write(dir, 'here', await members(src, names), { thread, reads: 'auto' })
  const pool = await write(dir, 'pool', await members(src, names), { thread, reads: 'pool' })
  t.ok(here.tar.equals(pool.tar), 'archive bytes equal')
  t.ok(here.list.equals(pool.list), 'listing bytes equal')
  t.equal(pool.res.sha256, here.res.sha256)
  t.ok(pool.res.peakReads > 4, `several reads in flight at once (${pool.res.peakReads})`)
  t.ok(pool.res.peakReads <= 16, 'and no more than READS_IN_FLIGHT')
  untar([path.join(dir, 'pool.tar')], path.join(dir, 'x'))
  const rows = await readMembers(path.join(dir, 'pool.members.ndjson'))
  t.equal(rows.length, names.length)
  for (const row of rows) t.equal(row.sha256, sha256File(path.join(src, String(row.path))), `${row.path}: listed sha256 is the content's`)
  for (const n of names) t.ok(fs.readFileSync(path.join(dir, 'x', n)).equals(fs.readFileSync(path.join(src, n))), `${n} unpacks intact`)
})

t.test('reads on the thread pool: a file that fails while read is retried or left out, the rest is exact', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  const names = tree(src)
  const thread = new WriterThread()
  t.teardown(() => thread.close())
  const clean = await write(dir, 'clean', await members(src, names), { thread, reads: 'pool' })
  /** fail the `nth` reads of files whose path ends with `suffix` */
  const failOn = (suffix: string, code: string, nth: number[]): FaultHook => {
    let n = 0
    return (abs, op) => (op === 'read' && abs.endsWith(suffix) && nth.includes(++n) ? Object.assign(new Error(`${code}: injected`), { code }) : undefined)
  }
  // a small file in the middle changes once: read again, and the archive is the clean one
  const once = await write(dir, 'once', await members(src, names), { thread, reads: 'pool', fault: failOn('f061.mp3', 'ECHANGED', [1]) })
  t.same(once.res.problems, [])
  t.ok(once.tar.equals(clean.tar), 'retried: the same bytes as without the fault')
  t.ok(once.list.equals(clean.list))
  // a large file changes on its second part once: read again (taken back, or the archive written again: writeJob)
  const ctx: JobContext = { outDir: dir, compress: 'none', level: 6, settings: 's', thread, reads: 'pool', fault: failOn('f047.mp3', 'ECHANGED', [2]) }
  const big = await writeJob(makeJob('g', 'big', '', await members(src, names), 's'), ctx)
  t.same(big.problems, [])
  t.ok(fs.readFileSync(path.join(dir, 'big.tar')).equals(clean.tar), 'large file retried: the same bytes')
  // a small file that cannot be read: left out, and the archive is that of the other files
  const eio = await write(dir, 'eio', await members(src, names), { thread, reads: 'pool', fault: failOn('f061.mp3', 'EIO', [1, 2, 3]) })
  t.match(eio.res.problems, [{ kind: 'error', item: 'v1/f061.mp3', code: 'EIO' }])
  const without = await write(dir, 'without', await members(src, names.filter((n) => !n.endsWith('f061.mp3'))), { thread, reads: 'pool' })
  t.ok(eio.tar.equals(without.tar), 'left out: the same bytes as an archive without it')
  t.ok(eio.list.equals(without.list))
  t.notOk(fs.readdirSync(dir).some((n) => n.endsWith('.tmp')), 'no temp files left behind')
})

t.test('a file that grew after the walk is seen by the check after reading (no probe read) and read again', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  put(src, 'a.mp3', bytes(1, 5000), 1_700_000_000)
  put(src, 'grows.mp3', bytes(2, 7000), 1_700_000_001)
  put(src, 'z.mp3', bytes(3, 3000), 1_700_000_002)
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'run'), '--domain', 'a', '--root', src, '--compress', 'none'], env: { CLARA_FAULT_INJECT: 'GROW1:grows.mp3' } })
  t.equal(r.code, 0, r.stderr)
  t.equal(fs.statSync(path.join(src, 'grows.mp3')).size, 7001, 'the fault appended a byte before the first read')
  const index = readJson(path.join(dir, 'run', 'a', 'index.json'))
  const rows = await readMembers(path.join(dir, 'run', 'a', index.shards[0].members_path))
  t.match(rows.find((x) => x.path === 'grows.mp3'), { size: 7001, sha256: sha256File(path.join(src, 'grows.mp3')) }, 'listed as it is now')
  untar([path.join(dir, 'run', 'a', index.shards[0].path)], path.join(dir, 'x'))
  t.ok(fs.readFileSync(path.join(dir, 'x', 'grows.mp3')).equals(fs.readFileSync(path.join(src, 'grows.mp3'))), 'archived as it is now')
})

t.test('a file replaced by a directory after the walk is opened unchecked, refused after the read, and archived as what it is now', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  put(src, 'a.mp3', bytes(1, 5000), 1_700_000_000)
  put(src, 'b.mp3', bytes(2, 5000), 1_700_000_001)
  const swap: FaultHook = (abs, op) => {
    if (op === 'open' && abs.endsWith('b.mp3') && fs.statSync(abs).isFile()) {
      fs.rmSync(abs)
      fs.mkdirSync(abs)
    }
    return undefined
  }
  const thread = new WriterThread()
  t.teardown(() => thread.close())
  for (const reads of ['auto', 'pool'] as const) {
    fs.rmSync(path.join(src, 'b.mp3'), { recursive: true, force: true })
    put(src, 'b.mp3', bytes(2, 5000), 1_700_000_001)
    const m2 = await members(src, ['a.mp3', 'b.mp3'])
    const w = await write(dir, `swap-${reads}`, m2, { thread, reads, fault: swap })
    t.same(w.res.problems, [], `${reads}: no error (ECHANGED, re-examined)`)
    t.same(w.res.rows.map((x) => [x.path, x.kind]), [['a.mp3', 'file'], ['b.mp3', 'dir']], `${reads}: b.mp3 is archived as the directory it became`)
  }
})
