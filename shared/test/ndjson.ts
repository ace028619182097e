import t from 'tap'
import { PassThrough, Readable, Writable } from 'node:stream'
import type { Io } from '../src/cli.js'
import { EXIT } from '../src/cli.js'
import { RecordWriter, collectRecords, drained, readRecords } from '../src/ndjson.js'
import type { ClaraRecord } from '../src/records.js'
import { ndjsonOf, runMain } from '../src/testkit.js'

const read = (text: string, opts = {}) => collectRecords(Readable.from([Buffer.from(text)]), opts)

t.test('reads records, consumes the end record, passes unknown types and fields through', async (t) => {
  const recs = [{ type: 'project', id: 1, title: 'é' }, { type: 'never-heard-of-it', x: [1, { y: null }] }, { type: 'artifact', extra_field: true }]
  t.same(await read(ndjsonOf(recs as ClaraRecord[])), recs)
})

t.test('blank lines skipped, CRLF accepted, a last line without newline still read', async (t) => {
  const recs = await read('\n{"type":"a"}\r\n\n  \n{"type":"b"}\n{"type":"end","count":2}')
  t.same(recs, [{ type: 'a' }, { type: 'b' }])
})

t.test('parse errors name the line: stdin:N', async (t) => {
  await t.rejects(read('{"type":"a"}\n\n{"type":"b"\n'), { code: 'EBADNDJSON', exitCode: 3, message: /^stdin:3: / })
  await t.rejects(read('{"type":"a"}\n[1,2]\n'), { exitCode: 3, message: /^stdin:2: not a record/ })
  await t.rejects(read('{"id":1}\n'), { message: /^stdin:1: not a record/ })
  await t.rejects(read('null\n'), { message: /^stdin:1: not a record/ })
  await t.rejects(read('x\n', { source: 'units.ndjson' }), { message: /^units\.ndjson:1: / })
})

t.test('a stream without its end record is an error, never a smaller input', async (t) => {
  await t.rejects(read('{"type":"a"}\n{"type":"b"}\n'), { code: 'ETRUNCATED', exitCode: 3, message: /stdin:2: stream ended without its end record/ })
  await t.rejects(read(''), { code: 'ETRUNCATED' }, 'an empty stream is not an empty input')
  await t.rejects(read('\n\n'), { code: 'ETRUNCATED' })
  // records after the last end record: the producer of the second part died
  await t.rejects(read(ndjsonOf([{ type: 'a' }]) + '{"type":"b"}\n'), { code: 'ETRUNCATED' })
  t.same(await read('{"type":"a"}\n', { requireEnd: false }), [{ type: 'a' }])
  t.same(await read('{"type":"end","count":0}\n'), [], 'an empty but complete stream')
})

t.test('an end count that does not match is an error', async (t) => {
  await t.rejects(read('{"type":"a"}\n{"type":"end","count":2}\n'), { code: 'ETRUNCATED', exitCode: 3, message: /^stdin:2: end record says 2 records, stream had 1/ })
  await t.rejects(read('{"type":"a"}\n{"type":"end"}\n'), { code: 'ETRUNCATED' })
})

t.test('concatenated streams (two end records) are read whole', async (t) => {
  const text = ndjsonOf([{ type: 'a', n: 1 }, { type: 'a', n: 2 }]) + ndjsonOf([]) + ndjsonOf([{ type: 'b', n: 3 }])
  t.same(await read(text), [{ type: 'a', n: 1 }, { type: 'a', n: 2 }, { type: 'b', n: 3 }])
})

/** A tiny tool: copies its input through, as every consumer must. */
async function copy(io: Io): Promise<number> {
  const w = new RecordWriter(io.stdout)
  for await (const rec of readRecords(io.stdin)) await w.write(rec)
  await w.end()
  return EXIT.OK
}

t.test('through runMain: a truncated stream fails the consumer with exit 3', async (t) => {
  const ok = await runMain(copy, { input: [{ type: 'x', a: 1 }, { type: 'zz' }] })
  t.equal(ok.code, 0)
  t.equal(ok.stdout, '{"type":"x","a":1}\n{"type":"zz"}\n{"type":"end","count":2}\n')
  const cut = await runMain(copy, { input: '{"type":"x","a":1}\n{"type":"zz"}\n' })
  t.equal(cut.code, 3)
  t.match(cut.stderr, /^test: stdin:2: stream ended without its end record/)
  t.equal(cut.stderr.split('\n').length, 2, 'one line')
  t.notMatch(cut.stdout, /"type":"end"/, 'a failed consumer does not close its own stream')
  const bad = await runMain(copy, { input: '{"type":"x"}\n{oops\n' })
  t.equal(bad.code, 3)
  t.match(bad.stderr, /^test: stdin:2: /)
})

t.test('RecordWriter: counts, writes end, never forwards a foreign end record', async (t) => {
  const out = new PassThrough()
  const chunks: string[] = []
  out.on('data', (c) => chunks.push(String(c)))
  const w = new RecordWriter(out)
  await w.write({ type: 'a' })
  await w.write({ type: 'end', count: 99 })
  await w.write({ type: 'b', s: 'line\nbreak' })
  await w.end()
  await w.end()
  t.equal(chunks.join(''), '{"type":"a"}\n{"type":"b","s":"line\\nbreak"}\n{"type":"end","count":2}\n')
  t.equal(w.count, 2)
})

/** A writable that takes one chunk every `ms`, with a tiny buffer. */
function slowSink(ms: number): Writable & { got: number; maxBuffered: number } {
  const s = new Writable({
    highWaterMark: 256,
    write(chunk, _enc, cb) {
      s.got++
      s.emit(`took-${s.got}`)
      s.maxBuffered = Math.max(s.maxBuffered, s.writableLength)
      setTimeout(cb, ms)
    },
  }) as Writable & { got: number; maxBuffered: number }
  s.got = 0
  s.maxBuffered = 0
  return s
}

t.test('RecordWriter respects backpressure without piling up listeners', async (t) => {
  const sink = slowSink(1)
  const w = new RecordWriter(sink)
  const warnings: unknown[] = []
  process.on('warning', (x) => warnings.push(x))
  for (let i = 0; i < 300; i++) await w.write({ type: 'x', i, pad: 'y'.repeat(100) })
  await w.end()
  t.ok(sink.maxBuffered < 256 + 200, `the sink never held more than one record past its buffer (${sink.maxBuffered} bytes)`)
  t.equal(sink.listenerCount('close'), 0, 'no close listener left behind')
  t.ok(sink.listenerCount('drain') === 0 && sink.listenerCount('error') <= 1, 'no drain/error listeners left behind')
  await new Promise((r) => setImmediate(r))
  t.same(warnings, [], 'no MaxListenersExceededWarning')
})

t.test('a consumer that goes away: write and end reject with EPIPE, they do not hang', async (t) => {
  const sink = slowSink(50)
  const w = new RecordWriter(sink)
  const pending = (async () => {
    for (let i = 0; ; i++) await w.write({ type: 'x', i, pad: 'y'.repeat(100) })
  })()
  // it goes away while the writer is blocked on it: once it took its third chunk (not after some time)
  sink.once('took-3', () => setImmediate(() => sink.destroy()))
  await t.rejects(pending, { code: 'EPIPE' })
  await t.rejects(w.end(), { code: 'EPIPE' })
  await t.rejects(drained(sink), { code: 'EPIPE' })
})
