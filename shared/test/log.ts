import t from 'tap'
import { PassThrough } from 'node:stream'
import type { Argv } from 'yargs'
import { parseArgs } from '../src/args.js'
import type { Io } from '../src/cli.js'
import { Logger, progressLine, withLogFlags, type LogFlags } from '../src/log.js'
import { RecordWriter } from '../src/ndjson.js'
import { runMain } from '../src/testkit.js'
import { manualClock, screen } from '../src/testkit-tty.js'

/** A Logger on a fake stderr, with a clock the test moves by hand (the throttles count with it). */
function logger(isTTY: boolean, flags: LogFlags = {}, env: NodeJS.ProcessEnv = {}) {
  const stderr = new PassThrough()
  let text = ''
  stderr.on('data', (c) => (text += c))
  const clock = manualClock()
  return { log: new Logger({ stderr, isTTY, env, now: clock.now }, 'clara-x', flags), text: () => text, clock }
}

t.test('progressLine: items, bytes, rate, ETA', async (t) => {
  t.equal(progressLine({ items: 3, total: 10, bytes: 2_000_000, totalBytes: 8_000_000 }, 2), '3/10 items, 2.0 MB, 1.0 MB/s ETA 6s')
  t.equal(progressLine({ label: 'source', items: 5, total: 20, bytes: 0 }, 10), 'source 5/20 items, 0 B, 0 B/s ETA 30s')
  t.equal(progressLine({ items: 1, total: 100, bytes: 500 }, 10), '1/100 items, 500 B, 50 B/s ETA 16m30s')
  t.equal(progressLine({ items: 7, bytes: 1500 }, 0), '7 items, 1.5 KB, 0 B/s')
})

t.test('plain lines off a TTY; a progress line at most every 10 s', async (t) => {
  const { log, text, clock } = logger(false)
  log.info('starting')
  log.warn('12/x.fifo', 'skipped a FIFO')
  log.error('12', 'ENOENT: gone')
  log.detail('only with --verbose')
  clock.advance(2000)
  log.progress({ items: 1, total: 2, bytes: 10 })
  clock.advance(9_999)
  log.progress({ items: 2, total: 2, bytes: 20 })
  t.same(text().split('\n'), ['clara-x: starting', 'clara-x: 12/x.fifo: skipped a FIFO', 'clara-x: 12: ENOENT: gone', 'clara-x: 1/2 items, 10 B, 5 B/s ETA 2s', ''],
    'the first progress line at once; the next, 9.999 s later, not printed; every line ends with a newline')
  clock.advance(1)
  log.progress({ items: 2, total: 2, bytes: 20 })
  t.equal(text().split('\n').at(-2), 'clara-x: 2/2 items, 20 B, 2 B/s ETA 0s', '10 s after the last one: printed')
  log.done()
  t.notMatch(text(), /\r|\x1b/, 'no terminal control codes')
})

t.test('a live progress line on a TTY, redrawn at most every 100 ms, cleared before other lines and at the end', async (t) => {
  const { log, text, clock } = logger(true)
  clock.advance(1000)
  log.progress({ items: 1, total: 4, bytes: 100 })
  t.same(screen(text()), { lines: [], live: 'clara-x: 1/4 items, 100 B, 100 B/s ETA 3s' }, 'drawn at once, with no newline')
  clock.advance(99)
  log.progress({ items: 2, total: 4, bytes: 200 })
  t.equal(screen(text()).live, 'clara-x: 1/4 items, 100 B, 100 B/s ETA 3s', '99 ms later: not redrawn')
  clock.advance(1)
  log.progress({ items: 3, total: 4, bytes: 300 })
  t.equal(screen(text()).live, 'clara-x: 3/4 items, 300 B, 273 B/s ETA 0s', '100 ms later: redrawn over the old one')
  log.warn('u', 'careful')
  t.same(screen(text()), { lines: ['clara-x: u: careful'], live: '' }, 'the live line is wiped before the message, which stands alone')
  const before = text().length
  log.done()
  t.equal(text().length, before, 'nothing to clear after a plain line')
  log.progress({ items: 4, total: 4, bytes: 400 })
  t.same(screen(text()), { lines: ['clara-x: u: careful'], live: 'clara-x: 4/4 items, 400 B, 364 B/s ETA 0s' }, 'a line wiped by a message is redrawn at the next progress, within 100 ms')
  log.done()
  t.same(screen(text()), { lines: ['clara-x: u: careful'], live: '' }, 'done() clears the live line')
  t.ok(text().endsWith('\r\x1b[K'), 'by erasing it')
})

t.test('progress-json: a JSON line at most every 250 ms, the last one at done()', async (t) => {
  const { log, text, clock } = logger(true, {}, { CLARA_LOG: 'progress-json' })
  const progress = () => text().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
  log.progress({ items: 1, bytes: 10 })
  clock.advance(249)
  log.progress({ items: 2, bytes: 20 })
  t.match(progress(), [{ msg: 'progress', items: 1, bytes: 10 }], '249 ms after the first: kept back')
  t.equal(progress().length, 1)
  clock.advance(1)
  log.progress({ items: 3, bytes: 30 })
  t.match(progress(), [{ items: 1 }, { items: 3, time: clock.now() }], '250 ms after it: written, stamped by the clock')
  t.equal(progress().length, 2)
  log.progress({ items: 4, bytes: 40 })
  log.done()
  t.match(progress(), [{ items: 1 }, { items: 3 }, { items: 4 }], 'the update held back is written at done()')
  t.equal(progress().length, 3)
})

t.test('--log-json: pino-shaped lines', async (t) => {
  const { log, text } = logger(true, { 'log-json': true })
  log.info('starting', { domain: 'source_exports' })
  log.warn('a', 'w')
  log.error('b', 'e')
  log.progress({ items: 1, bytes: 2 })
  const lines = text().trim().split('\n').map((l) => JSON.parse(l))
  t.match(lines, [
    { level: 30, name: 'clara-x', msg: 'starting', domain: 'source_exports', time: Number },
    { level: 40, msg: 'a: w', item: 'a' },
    { level: 50, msg: 'b: e', item: 'b' },
    { level: 30, msg: 'progress', items: 1, bytes: 2 },
  ])
  t.notMatch(text(), /\r|\x1b/, 'no live line even on a TTY')
})

t.test('--quiet: only errors', async (t) => {
  const { log, text } = logger(true, { quiet: true, verbose: true })
  log.info('i')
  log.detail('d')
  log.warn('w', 'x')
  log.progress({ items: 1, bytes: 1 })
  log.error('e', 'bad')
  log.done()
  t.equal(text(), 'clara-x: e: bad\n')
})

t.test('--verbose: detail lines', async (t) => {
  const { log, text } = logger(false, { verbose: true })
  log.detail('unit 12 done')
  t.equal(text(), 'clara-x: unit 12 done\n')
})

t.test('in a tool: flags parsed, stdout carries records only', async (t) => {
  async function main(io: Io): Promise<number> {
    const opts = await parseArgs(io, { name: 'clara-x', usage: '$0', build: (y: Argv) => withLogFlags(y) })
    if (!opts) return 0
    const log = new Logger(io, 'clara-x', opts)
    const w = new RecordWriter(io.stdout)
    log.info('hello')
    log.progress({ items: 1, bytes: 5 })
    await w.write({ type: 'artifact', unit: '1' })
    log.error('1', 'boom')
    log.done()
    await w.end()
    return 0
  }
  for (const argv of [[], ['--log-json'], ['--quiet'], ['--verbose']]) {
    for (const isTTY of [false, true]) {
      const r = await runMain(main, { argv, isTTY })
      t.equal(r.stdout, '{"type":"artifact","unit":"1"}\n{"type":"end","count":1}\n', `${argv} tty=${isTTY}`)
      t.match(r.stderr, /1: boom/)
    }
  }
})

t.test('CLARA_LOG from a parent process: quiet, json, verbose ORed with the flags; progress-json for the parent', async (t) => {
  const { envLogFlags, claraLogEnv } = await import('../src/log.js')
  t.same(envLogFlags({}), {})
  t.same(envLogFlags({ CLARA_LOG: 'quiet, json,verbose,progress-json,bogus' }), { quiet: true, 'log-json': true, verbose: true, progressJson: true })
  t.equal(claraLogEnv({ quiet: true, 'log-json': true, verbose: false }, true), 'quiet,json,progress-json')
  t.equal(claraLogEnv({}), '')
  const mk = (env: NodeJS.ProcessEnv, flags: LogFlags = {}) => {
    const stderr = new PassThrough()
    let text = ''
    stderr.on('data', (c) => (text += c))
    return { log: new Logger({ stderr, isTTY: true, env, now: manualClock().now }, 'clara-x', flags), text: () => text }
  }
  let l = mk({ CLARA_LOG: 'quiet' })
  l.log.info('hidden')
  l.log.error('e', 'shown')
  t.equal(l.text(), 'clara-x: e: shown\n', 'quiet from the env although the flag is off')
  l = mk({ CLARA_LOG: 'json' }, { verbose: true })
  l.log.detail('d')
  t.match(JSON.parse(l.text()), { level: 30, msg: 'd' }, 'json from the env, verbose from the flag')
  l = mk({ CLARA_LOG: 'progress-json' })
  l.log.progress({ label: 'zip', items: 1, bytes: 10 })
  l.log.progress({ label: 'zip', items: 2, bytes: 20 }) // throttled (the clock stands still), kept for done()
  l.log.info('plain lines stay plain')
  l.log.done()
  const lines = l.text().trim().split('\n')
  t.equal(lines.length, 3)
  t.match(JSON.parse(lines[0]), { msg: 'progress', name: 'clara-x', label: 'zip', items: 1, bytes: 10 })
  t.equal(lines[1], 'clara-x: plain lines stay plain')
  t.match(JSON.parse(lines[2]), { msg: 'progress', items: 2, bytes: 20 }, 'the last update is written at done()')
  t.notMatch(l.text(), /\r|\x1b/, 'no live line: the parent draws it')
  t.equal(progressLine({ items: 2, total: 5, bytes: 0, noun: 'units' }, 1), '2/5 units, 0 B, 0 B/s ETA 2s')
})
