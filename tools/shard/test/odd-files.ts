import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import { statEntry } from '@clara/shared/walk'
import { WriterThread } from '../src/archive-sink.js'
import { makeJob, writeJob, type JobContext } from '../src/archive-job.js'
import type { Member } from '../src/member.js'
import { main } from '../src/main.js'
import { bytes, put, readJson, readMembers, scratch, sha256File, untar } from './helpers.js'

t.test('FIFOs and sockets are skipped with a warning, never opened (no hang)', { timeout: 600_000 }, async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  put(src, 'a.mp3', bytes(1, 5000), 1_700_000_000)
  execFileSync('mkfifo', [path.join(src, 'pipe.mp3')])
  execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path.join(src, 'gunicorn.sock'))})`])
  const input = ['a.mp3', 'pipe.mp3', 'gunicorn.sock'].map((p) => ({ type: 'file', root: src, path: p }))
  const viaStdin = await runMain(main, { argv: ['--dest', path.join(dir, 'r1'), '--domain', 'a'], input: input as never })
  const viaRoot = await runMain(main, { argv: ['--dest', path.join(dir, 'r2'), '--domain', 'a', '--root', src] })
  for (const r of [viaStdin, viaRoot]) {
    t.equal(r.code, 0, 'skips are warnings, not failures')
    t.match(r.records.filter((x) => x.type === 'warning').map((x) => String((x as { message?: string }).message)).sort(), [/skipped fifo/, /skipped socket/])
    t.match(r.records.find((x) => x.type === 'summary'), { files: 1, warnings: 2 })
  }
})

async function member(root: string, rel: string): Promise<Member> {
  const relBytes = Buffer.from(rel)
  return { name: rel, nameBytes: relBytes, entry: await statEntry(Buffer.from(path.join(root, rel)), relBytes) }
}

t.test('a large file that fails after its header was written: the archive is written again, with or without it', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  put(src, 'big.mp3', bytes(1, 3 << 20), 1_700_000_000)
  put(src, 'small.mp3', bytes(2, 3000), 1_700_000_001)
  const thread = new WriterThread()
  t.teardown(() => thread.close())
  const failOn = (code: string, reads: number[]) => {
    let n = 0
    return (abs: string, op: string) => (op === 'read' && abs.endsWith('big.mp3') && reads.includes(++n) ? Object.assign(new Error(`${code}: injected`), { code }) : undefined)
  }
  const ctx = (fault: JobContext['fault']): JobContext => ({ outDir: dir, compress: 'none', level: 6, settings: 's', thread, fault })
  // changed on the second chunk once: re-examined and written again, complete
  const job1 = makeJob('g', 'once', '', [await member(src, 'big.mp3'), await member(src, 'small.mp3')], 's')
  const r1 = await writeJob(job1, ctx(failOn('ECHANGED', [2])))
  t.same(r1.problems, [])
  t.equal(r1.entry.files, 2)
  untar([path.join(dir, 'once.tar')], path.join(dir, 'x1'))
  t.equal(sha256File(path.join(dir, 'x1', 'big.mp3')), sha256File(path.join(src, 'big.mp3')))
  // changed again while read the second time: retried once only, then a failure, and the archive holds the rest
  const job3 = makeJob('g', 'twice', '', [await member(src, 'big.mp3'), await member(src, 'small.mp3')], 's')
  const r3 = await writeJob(job3, ctx(failOn('ECHANGED', [2, 4])))
  t.match(r3.problems, [{ kind: 'error', item: 'big.mp3', code: 'ECHANGED' }])
  t.equal(r3.entry.files, 1)
  // an I/O error on the second chunk every time: the member is left out, the archive is still valid
  const job2 = makeJob('g', 'eio', '', [await member(src, 'big.mp3'), await member(src, 'small.mp3')], 's')
  const r2 = await writeJob(job2, ctx(failOn('EIO', [2, 4, 6, 8])))
  t.match(r2.problems, [{ kind: 'error', item: 'big.mp3', code: 'EIO' }])
  t.equal(r2.entry.files, 1)
  untar([path.join(dir, 'eio.tar')], path.join(dir, 'x2'))
  t.same(fs.readdirSync(path.join(dir, 'x2')), ['small.mp3'])
  t.notOk(fs.readdirSync(dir).some((n) => n.endsWith('.tmp')), 'no temp files left behind')
})

t.test('a file that keeps changing becomes an error after one retry; the run goes on', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  put(src, 'busy.mp3', bytes(1, 4000), 1_700_000_000)
  put(src, 'calm.mp3', bytes(2, 4000), 1_700_000_001)
  const r = await runMain(main, { argv: ['--dest', dir, '--domain', 'a', '--root', src], env: { CLARA_FAULT_INJECT: 'ECHANGED@read:busy' } })
  t.equal(r.code, 1)
  t.match(r.records.filter((x) => x.type === 'error'), [{ item: 'busy.mp3', code: 'ECHANGED' }])
  t.equal(readJson(path.join(dir, 'a', 'index.json')).totals.files, 1)
})

t.test('auto compression: random (mp3-like) bytes give .tar, text gives .tgz; forced choices are obeyed', async (t) => {
  const dir = scratch(t)
  put(dir, 'mp3/a.mp3', bytes(1, 200_000), 1_700_000_000)
  put(dir, 'txt/a.txt', bytes(2, 200_000, true), 1_700_000_000)
  const run = async (root: string, extra: string[] = []) => {
    const r = await runMain(main, { argv: ['--dest', path.join(dir, 'out'), '--domain', 'd', '--prefix', path.basename(root) + extra.join(''), '--root', path.join(dir, root), ...extra] })
    return r.records.find((x) => x.type === 'artifact') as Record<string, unknown>
  }
  t.match(await run('mp3'), { compression: 'none', path: /\.tar$/ })
  t.match(await run('txt'), { compression: 'gzip', path: /\.tgz$/ })
  t.match(await run('mp3', ['--compress', 'gzip']), { compression: 'gzip', path: /\.tgz$/ })
  t.match(await run('txt', ['--compress', 'none']), { compression: 'none', path: /\.tar$/ })
  const index = readJson(path.join(dir, 'out', 'd', 'index.json'))
  const txt = index.shards.find((s: { group: string }) => s.group === 'txt')
  t.ok(txt.sample_savings > 0.3, `text sample saves ${txt.sample_savings}`)
  t.ok(txt.size_bytes < 200_000 * 0.7)
  untar([path.join(dir, 'out', 'd', txt.path)], path.join(dir, 'x'))
  t.equal(sha256File(path.join(dir, 'x', 'a.txt')), sha256File(path.join(dir, 'txt', 'a.txt')))
  const rows = await readMembers(path.join(dir, 'out', 'd', txt.members_path))
  t.same(rows.map((r) => [r.path, r.sha256]), [['a.txt', sha256File(path.join(dir, 'txt', 'a.txt'))]], 'a .tgz listing hashes the uncompressed content')
})

t.test('a member name that is not UTF-8 is archived as its exact bytes (GNU tar gives them back) and listed with path_b64', async (t) => {
  const dir = scratch(t)
  const src = path.join(dir, 'src')
  put(src, 'voice/ok.mp3', bytes(1, 700), 1_700_000_000)
  const odd = Buffer.concat([Buffer.from(`${src}/voice/caf`), Buffer.from([0xe9]), Buffer.from('.mp3')])
  fs.writeFileSync(odd, bytes(2, 900))
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'run'), '--domain', 'a', '--root', src] })
  t.equal(r.code, 0)
  const archives = path.join(dir, 'run/a/archives')
  // small shards are gzipped (compress=auto): GNU tar reads both
  const tarFile = fs.readdirSync(archives).filter((n) => /\.(tar|tgz)$/.test(n)).map((n) => path.join(archives, n))
  t.equal(tarFile.length, 1)
  untar(tarFile, path.join(dir, 'out'))
  const back = Buffer.concat([Buffer.from(`${dir}/out/voice/caf`), Buffer.from([0xe9]), Buffer.from('.mp3')])
  t.ok(fs.readFileSync(back).equals(fs.readFileSync(odd)), 'unpacked under the same bytes, same content')
  t.same(fs.readdirSync(Buffer.from(path.join(dir, 'out/voice')), { encoding: 'buffer' }).length, 2, 'no second, lossy name')
  const rows = await readMembers(tarFile[0].replace(/\.(tar|tgz)$/, '.members.ndjson'))
  const row = rows.find((x) => typeof x.path_b64 === 'string')
  t.ok(row && Buffer.from(String(row.path_b64), 'base64').equals(Buffer.from([...Buffer.from('voice/caf'), 0xe9, ...Buffer.from('.mp3')])), 'the listing has the bytes')
})
