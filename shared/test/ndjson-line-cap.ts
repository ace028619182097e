/**
 * NDJSON lines are capped (MAX_LINE_BYTES, 16 MiB): a longer line stops a tool at once, exit 3, in one
 * line, having read no more than the cap into memory (issue 15: one 100 MB line took ~700 MB and a
 * stack trace). readLines itself: lines across chunks, CRLF, UTF-8 split across chunks, the cap exactly.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { Readable } from 'node:stream'
import { LineTooLongError, MAX_LINE_BYTES, readLines } from '../src/ndjson.js'
import { binPath, childEnv } from '../src/testkit-spawn.js'

const lines = async (chunks: (string | Buffer)[], opts = {}) => {
  const out: string[] = []
  for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), opts)) out.push(l)
  return out
}

t.test('readLines: lines across chunks, CRLF, a last line without LF, UTF-8 split inside a character', async (t) => {
  t.same(await lines(['a\nb', 'c\r\n', '\n', 'd']), ['a', 'bc', '', 'd'])
  const e = Buffer.from('é\n')
  t.same(await lines([e.subarray(0, 1), e.subarray(1)]), ['é'], 'the two bytes of é in two chunks')
  t.same(await lines([]), [])
})

t.test('readLines: a line of exactly the cap passes, one byte more throws at once with its line number', async (t) => {
  t.same(await lines(['x'.repeat(8) + '\n', 'y'.repeat(4), 'y'.repeat(4)], { maxBytes: 8 }), ['x'.repeat(8), 'y'.repeat(8)])
  await t.rejects(lines(['ok\n', 'x'.repeat(9) + '\n'], { maxBytes: 8, source: 'units.ndjson' }), { code: 'ELINETOOLONG', exitCode: 3, message: /^units\.ndjson:2: line longer than 8 bytes/ })
  await t.rejects(lines(['ok\n', 'x'.repeat(5), 'x'.repeat(5)], { maxBytes: 8 }), LineTooLongError, 'no newline in sight: thrown when the cap is passed')
  t.equal(MAX_LINE_BYTES, 16 * 1024 * 1024)
})

t.test('readLines with truncate: an over-long line is cut at the cap and its rest skipped', async (t) => {
  t.same(await lines(['ab', 'cdefgh', 'ij\nk\n', 'lmnopqrstu', 'vw\nz'], { maxBytes: 4, truncate: true }), ['abcd', 'k', 'lmno', 'z'])
})

t.test('a 100 MB line into a real tool: exit 3 in one line, peak RSS bounded by the cap, not the line', async (t) => {
  const LIMIT_MB = 160
  const dest = t.testdir()
  // GNU time reports the child's peak resident set (VmHWM) when it ends
  const child = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M', binPath('clara-index'), '--dest', dest, '--domain', 'media'], { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', (c) => (err += c))
  child.stdout.resume()
  const closed = new Promise<number | null>((r) => child.on('close', r))
  let gone = false
  child.stdin.on('error', () => (gone = true)) // the tool stops reading: EPIPE
  child.stdin.on('close', () => (gone = true))
  const mb = Buffer.alloc(1 << 20, 'x')
  let sent = 0
  if (!child.stdin.write('{"type":"artifact","unit":"')) await new Promise((r) => child.stdin.once('drain', r))
  while (!gone && sent < 100) {
    sent++
    if (!child.stdin.write(mb)) await new Promise((r) => { child.stdin.once('drain', r); child.stdin.once('close', r) })
  }
  if (!gone) child.stdin.end('"}\n')
  t.equal(await closed, 3, err)
  t.ok(sent < 100, `the tool stopped reading after ${sent} MB of the 100 MB line`)
  // GNU time adds "Command exited with non-zero status 3" and its own line
  const tool = err.split('\n').filter((l) => l && !/^(Command exited|maxrss_kb=)/.test(l))
  t.match(tool, [/^clara-index: stdin:1: line longer than 16777216 bytes \(the limit\)/], 'one line, no stack trace')
  t.equal(tool.length, 1)
  const rssMb = Number(/^maxrss_kb=(\d+)$/m.exec(err)?.[1]) / 1024
  t.ok(rssMb > 0 && rssMb < LIMIT_MB, `peak RSS ${rssMb.toFixed(0)} MB < ${LIMIT_MB} MB`)
})
