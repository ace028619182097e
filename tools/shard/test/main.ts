import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { runMain } from '@clara/shared/testkit'
import { walkTree } from '@clara/shared/walk'
import { main } from '../src/main.js'
import { oddTree, readJson, readMembers, sha256File, treeOf, untar } from './helpers.js'

async function fileRecords(root: string): Promise<Record<string, unknown>[]> {
  const recs: Record<string, unknown>[] = []
  for await (const e of walkTree(root)) if (e.kind !== 'dir') recs.push({ type: 'file', root, path: e.rel })
  return recs
}

t.test('--help prints usage on stdout; a usage error is exit 2 with nothing on stdout', async (t) => {
  const h = await runMain(main, { argv: ['--help'] })
  t.equal(h.code, 0)
  t.match(h.stdout, /--shard-size-mb/)
  const u = await runMain(main, { argv: ['--domain', 'x'] })
  t.equal(u.code, 2)
  t.equal(u.stdout, '')
  const bad = await runMain(main, { argv: ['--dest', '/tmp/x', '--domain', 'a/b'] })
  t.equal(bad.code, 2)
})

t.test('--root: shards unpack with tar to a tree equal to the source; listings and index verify', async (t) => {
  const dir = t.testdir({ src: {} })
  const src = path.join(dir, 'src')
  oddTree(src)
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'run'), '--domain', 'audio_cache', '--prefix', 'tts_audio_part', '--root', src, '--shard-size-mb', '0.25'] })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stderr, '', 'silent on success')
  const arts = r.records.filter((x) => x.type === "artifact") as Record<string, any>[]
  t.ok(arts.length >= 2, `several shards (${arts.length})`)
  t.same(r.records.at(-1), { type: 'end', count: r.records.length - 1 })
  const out = path.join(dir, 'run', 'audio_cache')
  const index = readJson(path.join(out, 'index.json'))
  t.equal(index.shards.length, arts.length)
  t.equal(index.totals.files, 7)
  for (const [i, s] of index.shards.entries()) {
    t.match(s.name, /^tts_audio_part_\d{4}\.(tar|tgz)$/)
    t.equal(s.sha256, sha256File(path.join(out, s.path)), `${s.name} sha256`)
    t.equal(s.size_bytes, fs.statSync(path.join(out, s.path)).size)
    t.equal(arts[i].path, `audio_cache/${s.path}`)
    t.equal(arts[i].sha256, s.sha256)
    t.equal(s.members_sha256, sha256File(path.join(out, s.members_path)))
    t.ok(s.size_bytes <= 0.25 * 2 ** 20 || s.files === 1, 'size bound (one big file alone may exceed it)')
  }
  const into = path.join(dir, 'x')
  untar(index.shards.map((s: { path: string }) => path.join(out, s.path)), into)
  t.same(await treeOf(into), await treeOf(src), 'byte-equal tree, mtimes to the second, link kept')
  // every listing line re-hashes to the unpacked bytes
  let n = 0
  for (const s of index.shards) {
    const rows = await readMembers(path.join(out, s.members_path))
    t.equal(rows.length, s.entries)
    t.equal(rows[0].path, s.first_path)
    t.equal(rows.at(-1)!.path, s.last_path)
    for (const row of rows) {
      n++
      if (row.kind === 'file') t.equal(row.sha256, sha256File(path.join(into, row.path as string)), `${row.path}`)
      else t.equal(row.target, fs.readlinkSync(path.join(into, row.path as string)))
    }
  }
  t.equal(n, 8)
})

t.test('stdin: file records in, other records passed through, report types counted', async (t) => {
  const dir = t.testdir({ src: {} })
  const src = path.join(dir, 'src')
  oddTree(src)
  const input = [
    { type: 'audio_missing', id: 7, file_path: '/old/audio/tts_repository_orm/x.mp3' },
    ...(await fileRecords(src)),
    { type: 'something_else', n: 1 },
    { type: 'error', during: 'list', item: 'orm_audio_metadata', message: 'boom' },
    { type: 'audio_unreferenced', path: 'google/en-GB/en-GB-News-J/orphan_no_row.mp3' },
    { type: 'audio_missing', id: 8, file_path: 'audio/tts_repository_orm/y.mp3' },
  ]
  const r = await runMain(main, { argv: ['--dest', dir, '--domain', 'audio_cache', '--prefix', 'p', '--report-types', 'audio_missing,audio_unreferenced'], input: input as never })
  t.equal(r.code, 0, 'upstream errors are passed on, not counted as ours')
  const types = r.records.map((x) => x.type)
  t.ok(types.includes('something_else') && types.includes('audio_missing') && types.includes('error'))
  const out = path.join(dir, 'audio_cache')
  const index = readJson(path.join(out, 'index.json'))
  t.same(index.reports, { audio_missing: 2, audio_unreferenced: 1 })
  t.equal(index.totals.files, 7)
  const reports = await readMembers(path.join(out, 'reports.ndjson'))
  t.same(reports.map((x) => x.type).sort(), ['audio_missing', 'audio_missing', 'audio_unreferenced'])
  const failures = readJson(path.join(out, 'failures.json'))
  t.match(failures.failures, [{ item: 'orm_audio_metadata', message: 'boom' }])
  const into = path.join(dir, 'x')
  untar(index.shards.map((s: { path: string }) => path.join(out, s.path)), into)
  t.same(await treeOf(into), await treeOf(src))
})

t.test('bad NDJSON is fatal (exit 3) naming the line; a truncated stream too', async (t) => {
  const dir = t.testdir({})
  const r = await runMain(main, { argv: ['--dest', dir, '--domain', 'd'], input: '{"type":"file","root":"/x","path":"a"}\n{oops\n' })
  t.equal(r.code, 3)
  t.match(r.stderr, /stdin:2/)
  const trunc = await runMain(main, { argv: ['--dest', dir, '--domain', 'd'], input: '{"type":"file","root":"/x","path":"a"}\n' })
  t.equal(trunc.code, 3)
  t.notOk(fs.existsSync(path.join(dir, 'd', 'index.json')))
})

t.test('a vanished file is an error record; the others are archived; exit 1', async (t) => {
  const dir = t.testdir({ src: {} })
  const src = path.join(dir, 'src')
  oddTree(src)
  const input = [...(await fileRecords(src)), { type: 'file', root: src, path: 'gone/away.mp3' }, { type: 'file', root: src, path: '../escape' }]
  const r = await runMain(main, { argv: ['--dest', dir, '--domain', 'a', '--prefix', 'p'], input: input as never })
  t.equal(r.code, 1)
  const errs = r.records.filter((x) => x.type === 'error')
  t.match(errs, [{ item: 'gone/away.mp3', code: 'ENOENT', message: /vanished/ }, { item: '../escape', code: 'EBADRECORD' }])
  t.match(r.records.find((x) => x.type === 'summary'), { failed: 2 })
  const index = readJson(path.join(dir, 'a', 'index.json'))
  t.equal(index.totals.files, 7)
  t.equal(readJson(path.join(dir, 'a', 'failures.json')).failures.length, 2)
  // unreadable at read time (fault injected: tests run as root)
  const r2 = await runMain(main, { argv: ['--dest', path.join(dir, 'r2'), '--domain', 'a', '--root', src], env: { CLARA_FAULT_INJECT: 'EACCES:take one' } })
  t.equal(r2.code, 1)
  t.match(r2.records.filter((x) => x.type === 'error'), [{ item: 'human_voice/old norse/mannyrayner/take one.mp3', code: 'EACCES', during: 'read' }])
  t.equal(readJson(path.join(dir, 'r2', 'a', 'index.json')).totals.files, 6)
})

t.test('--dry-run plans without writing', async (t) => {
  const dir = t.testdir({ src: {} })
  oddTree(path.join(dir, 'src'))
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'run'), '--domain', 'a', '--root', path.join(dir, 'src'), '--dry-run'] })
  t.equal(r.code, 0)
  t.match(r.records.filter((x) => x.type === 'artifact'), [{ planned: true, files: 7 }])
  t.notOk(fs.existsSync(path.join(dir, 'run')))
})
