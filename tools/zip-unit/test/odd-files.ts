import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import net from 'node:net'
import path from 'node:path'
import { runMain } from '@clara/shared/testkit'
import { ZipReader } from '@clara/shared/zip-reader'
import { main } from '../src/main.js'

type Rec = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const unit = (dir: string, u: string) => ({ type: 'unit', domain: 'dom', unit: u, archives: [{ name: 'z', sources: [{ dir: path.join(dir, u) }] }] })
const run = async (dir: string, us: string[], env: Record<string, string> = {}, workers = '1') => {
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'dest'), '--workers', workers], input: us.map((u) => unit(dir, u)) as never, env })
  return { ...r, records: r.records as Rec[] }
}

/** clara-zip-unit, one worker, of one unit record into `<dir>/<dest>`. */
async function zipTo(dir: string, dest: string, input: unknown, extra: string[] = []) {
  const r = await runMain(main, { argv: ['--dest', path.join(dir, dest), '--workers', '1', ...extra], input: [input] as never })
  return { ...r, records: r.records as Rec[] }
}

t.test('a FIFO and a socket are skipped with warnings, never opened; symlinks are recorded, not followed', async (t) => {
  // a short path: a unix socket path must fit in 108 bytes
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zu-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(path.join(dir, 'a/sub'), { recursive: true })
  mkdirSync(path.join(dir, 'outside'))
  writeFileSync(path.join(dir, 'a/f.txt'), 'ok')
  writeFileSync(path.join(dir, 'outside/secret.txt'), 'outside the tree')
  execFileSync('mkfifo', [path.join(dir, 'a/pipe')])
  const srv = net.createServer()
  await new Promise<void>((res) => srv.listen(path.join(dir, 'a/sock'), res))
  t.teardown(() => srv.close())
  symlinkSync('../outside/secret.txt', path.join(dir, 'a/out-link'))
  symlinkSync('loop', path.join(dir, 'a/loop'))
  symlinkSync(path.join(dir, 'outside'), path.join(dir, 'a/sub/dir-link'))
  const r = await run(dir, ['a'])
  t.equal(r.code, 0, r.stderr)
  t.same(r.records.map((x) => x.type), ['warning', 'warning', 'artifact', 'summary', 'end'])
  t.match(r.records[0], { type: 'warning', during: 'zip', item: 'dom/a', path: 'pipe', message: /fifo/ })
  t.match(r.records[1], { path: 'sock', message: /socket/ })
  const md = JSON.parse(readFileSync(path.join(dir, 'dest/dom/a/metadata.json'), 'utf8'))
  t.same(md.symlinks.map((s: Rec) => [s.path, s.target]), [['loop', 'loop'], ['out-link', '../outside/secret.txt'], ['sub/dir-link', path.join(dir, 'outside')]])
  t.same(md.skipped.map((s: Rec) => [s.path, s.kind]), [['pipe', 'fifo'], ['sock', 'socket']])
  const z = await ZipReader.open(path.join(dir, 'dest/dom/a/z.zip'))
  t.same(z.entries.map((e) => `${e.name}:${e.kind}`), ['f.txt:file', 'loop:symlink', 'out-link:symlink', 'sub/:dir', 'sub/dir-link:symlink'])
  t.equal((await z.symlinkTarget(z.entries[2])).toString(), '../outside/secret.txt')
  await z.close()
})

t.test('a source directory that is itself a symlink is followed (only that one link)', async (t) => {
  const dir = t.testdir({ real: { 'x.txt': 'x', inner: {} }, elsewhere: { 'y.txt': 'y' } })
  symlinkSync(path.join(dir, 'real'), path.join(dir, 'l'))
  symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'real/inner/link'))
  const r = await run(dir, ['l'])
  t.equal(r.code, 0, r.stderr)
  const z = await ZipReader.open(path.join(dir, 'dest/dom/l/z.zip'))
  t.same(z.entries.map((e) => `${e.name}:${e.kind}`), ['inner/:dir', 'inner/link:symlink', 'x.txt:file'])
  await z.close()
})

t.test('a vanished file, an injected EACCES and EIO: error records for those units, the others done, exit 1', async (t) => {
  const dir = t.testdir({ a: { 'x.txt': 'a' }, b: { 'locked.txt': 'b' }, c: { 'x.txt': 'c' }, d: { 'broken.txt': 'd' }, e: { 'gone.txt': 'e' } })
  const r = await run(dir, ['a', 'b', 'c', 'd', 'e', 'missing'], { CLARA_FAULT_INJECT: 'EACCES:locked.txt,EIO@read:broken.txt,ENOENT:gone.txt' }, '2')
  t.equal(r.code, 1)
  t.same(r.records.map((x) => `${x.type}:${x.unit ?? ''}`), ['artifact:a', 'error:b', 'artifact:c', 'error:d', 'error:e', 'error:missing', 'summary:', 'end:'])
  t.match(r.records[1], { during: 'zip', item: 'dom/b', code: 'EACCES', message: /locked\.txt: cannot be read/ })
  t.match(r.records[3], { code: 'EIO' })
  t.match(r.records[4], { code: 'ENOENT', message: /gone\.txt: vanished/ })
  t.match(r.records[5], { code: 'ENOENT', message: /missing/ })
  t.match(r.records[6], { ok: 2, failed: 4 })
  t.notOk(existsSync(path.join(dir, 'dest/dom/b')), 'a failed unit leaves no folder: no metadata.json, no zip under its final name')
  t.match(r.stderr, /dom\/b: .*locked\.txt/)
})

t.test('a file that changes while read: the unit is retried once, then an error record (never a wrong archive)', async (t) => {
  const dir = t.testdir({ once: { 'grows.txt': 'abc' }, always: { 'grows.txt': 'abc' }, fine: { 'x.txt': 'x' } })
  const r1 = await run(dir, ['once', 'fine'], { CLARA_FAULT_INJECT: 'GROW1:once/grows.txt' })
  t.equal(r1.code, 0, r1.stderr)
  const z = await ZipReader.open(path.join(dir, 'dest/dom/once/z.zip'))
  t.equal((await z.read(z.entries[0])).toString(), 'abcx', 'the retry archived the file as it now is')
  await z.close()
  const r2 = await run(dir, ['always', 'fine'], { CLARA_FAULT_INJECT: 'GROW:always/grows.txt' })
  t.equal(r2.code, 1)
  t.match(r2.records[0], { type: 'error', unit: 'always', code: 'ECHANGED', message: /changed while being read.*retried once/ })
  t.notOk(existsSync(path.join(dir, 'dest/dom/always')), 'no folder left for the failed unit (verify would call an empty one unfinished)')
  t.match(r2.records[1], { type: 'artifact', unit: 'fine' })
})

t.test('odd names round-trip byte-exact: non-UTF-8 (path_b64), NFC and NFD twins, 255-byte names, paths over 1,000 bytes, zero-byte files', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zu-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const root = Buffer.from(path.join(dir, 'n'))
  const rel = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => Buffer.from(p)))
  const raw = rel('caf', Buffer.from([0xe9]), '.txt')
  const long = 'L'.repeat(255)
  const deep = Array.from({ length: 6 }, (_, i) => `${i}${'d'.repeat(199)}`).join('/')
  const files: [Buffer, string][] = [[raw, 'latin1 name'], [rel('caf\u00e9'), 'nfc'], [rel('cafe\u0301'), 'nfd'], [rel(long), 'long name'], [rel(deep, '/leaf'), 'deep path'], [rel('zero'), '']]
  for (const [name, body] of files) {
    const abs = Buffer.concat([root, Buffer.from('/'), name])
    mkdirSync(Buffer.from(path.dirname(abs.toString('latin1')), 'latin1'), { recursive: true })
    writeFileSync(abs, body)
  }
  execFileSync('bash', ['-c', `mkfifo "$1/fifo$(printf '\\377')"`, '-', root.toString()])
  const r = await runMain(main, { argv: ['--dest', path.join(dir, 'dest'), '--workers', '1', '--checksums'], input: [unit(dir, 'n')] as never })
  const recs = r.records as Rec[]
  t.equal(r.code, 0, r.stderr)
  t.match(recs[0], { type: 'warning', path_b64: Buffer.from([0x66, 0x69, 0x66, 0x6f, 0xff]).toString('base64') })
  const md = JSON.parse(readFileSync(path.join(dir, 'dest/dom/n/metadata.json'), 'utf8'))
  t.ok(md.members.some((m: Rec) => m.path_b64 === raw.toString('base64')), 'member listed with path_b64')
  const z = await ZipReader.open(path.join(dir, 'dest/dom/n/z.zip'))
  t.teardown(() => z.close())
  const byName = new Map(z.entries.map((e) => [e.nameBytes.toString('base64'), e]))
  for (const [name, body] of files) {
    const e = byName.get(name.toString('base64'))
    t.ok(e, `member ${name.length} bytes kept`)
    if (e) t.equal((await z.read(e)).toString(), body)
  }
  t.ok(deep.length > 1000)
  t.match(execFileSync('unzip', ['-t', path.join(dir, 'dest/dom/n/z.zip')], { encoding: 'latin1' }), /No errors/)
})

t.test('a source folder whose own name is not UTF-8 (dir_b64): its files archived, its target kept as bytes (to_b64), linked when unchanged', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zu-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const name = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2d, 0x31]) // "caf\xe9-1", Latin-1
  const folder = Buffer.concat([Buffer.from(`${dir}/`), name])
  mkdirSync(Buffer.concat([folder, Buffer.from('/sub')]), { recursive: true })
  writeFileSync(Buffer.concat([folder, Buffer.from('/text.txt')]), 'kept\n')
  writeFileSync(Buffer.concat([folder, Buffer.from('/sub/n\xff.txt', 'latin1')]), 'odd\n')
  const to = Buffer.concat([Buffer.from('clara_content/'), name]).toString('base64')
  const rec = { type: 'unit', domain: 'dom', unit: 'orphan-caf_-1~0123456789abcdef', archives: [{ name: 'source', sources: [{ dir_b64: folder.toString('base64'), prefix: 'project_dir/', restore_to_b64: to }] }] }
  const zip = (dest: string, extra: string[] = []) => zipTo(dir, dest, rec, extra)
  const r = await zip('r1')
  t.equal(r.code, 0, r.stderr)
  t.match(r.records[0], { type: 'artifact', unit: rec.unit, files: 2 })
  const z = await ZipReader.open(path.join(dir, 'r1/dom', rec.unit, 'source.zip'))
  t.same(z.entries.map((e) => e.nameBytes.toString('latin1')), ['project_dir/', 'project_dir/sub/', 'project_dir/sub/n\xff.txt', 'project_dir/text.txt'], 'the folder\u2019s files, under the prefix')
  t.equal((await z.read(z.entries[3])).toString(), 'kept\n')
  await z.close()
  const md = JSON.parse(readFileSync(path.join(dir, 'r1/dom', rec.unit, 'metadata.json'), 'utf8'))
  t.same(md.archives[0].restore, [{ prefix: 'project_dir/', to: 'clara_content/caf\ufffd-1', to_b64: to }], 'the exact target, and its lossy text')
  const again = await zip('r2', ['--link-dest', path.join(dir, 'r1')])
  t.equal(again.code, 0, again.stderr)
  t.match(again.records[0], { type: 'artifact', reused: true }, 'unchanged: hard-linked from its stats alone')
  const bad = await runMain(main, { argv: ['--dest', path.join(dir, 'r3'), '--workers', '1'], input: [{ ...rec, archives: [{ name: 'source', sources: [{ dir_b64: name.toString('base64') }] }] }] as never })
  t.equal(bad.code, 1)
  t.match(bad.records[0], { type: 'error', code: 'EBADUNIT', message: /dir_b64 must be an absolute path/ })
})

t.test('a file whose name is not UTF-8 (file_b64, path_b64): stored under its exact name bytes, its target kept as bytes, linked when unchanged', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'zu-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const name = Buffer.from('stray-\xe9\xff.txt', 'latin1')
  const file = Buffer.concat([Buffer.from(`${dir}/`), name])
  writeFileSync(file, 'stray bytes\n')
  writeFileSync(path.join(dir, 'plain.txt'), 'plain\n')
  const to = Buffer.concat([Buffer.from('clara_content/'), name]).toString('base64')
  const rec = { type: 'unit', domain: 'dom', unit: 'orphan-stray-__.txt~0123456789abcdef', archives: [{ name: 'source', sources: [
    { file_b64: file.toString('base64'), path_b64: name.toString('base64'), restore_to_b64: to },
    { file: path.join(dir, 'plain.txt'), path: 'plain.txt', restore_to: 'clara_content/plain.txt' },
  ] }] }
  const zip = (dest: string, extra: string[] = [], input: unknown = rec) => zipTo(dir, dest, input, extra)
  const r = await zip('r1')
  t.equal(r.code, 0, r.stderr)
  t.match(r.records[0], { type: 'artifact', unit: rec.unit, files: 2 })
  const z = await ZipReader.open(path.join(dir, 'r1/dom', rec.unit, 'source.zip'))
  t.same(z.entries.map((e) => e.nameBytes.toString('latin1')), ['plain.txt', name.toString('latin1')], 'the member under the exact name bytes')
  t.equal((await z.read(z.entries[1])).toString(), 'stray bytes\n')
  await z.close()
  const md = JSON.parse(readFileSync(path.join(dir, 'r1/dom', rec.unit, 'metadata.json'), 'utf8'))
  t.same(md.archives[0].restore, [
    { path: 'stray-\ufffd\ufffd.txt', path_b64: name.toString('base64'), to: 'clara_content/stray-\ufffd\ufffd.txt', to_b64: to },
    { path: 'plain.txt', to: 'clara_content/plain.txt' },
  ], 'exact member and target, beside their lossy text; a UTF-8 file as before')
  const again = await zip('r2', ['--link-dest', path.join(dir, 'r1')])
  t.equal(again.code, 0, again.stderr)
  t.match(again.records[0], { type: 'artifact', reused: true }, 'unchanged: hard-linked from its stats alone')
  writeFileSync(file, 'stray bytes, changed\n')
  const changed = await zip('r3', ['--link-dest', path.join(dir, 'r1')])
  t.equal(changed.code, 0, changed.stderr)
  t.notMatch(changed.records[0], { reused: true }, 'a change to the byte-named file is seen')
  const bad = await zip('r4', [], { ...rec, archives: [{ name: 'source', sources: [{ file_b64: name.toString('base64') }] }] })
  t.equal(bad.code, 1)
  t.match(bad.records[0], { type: 'error', code: 'EBADUNIT', message: /file_b64 must be an absolute path/ })
})
