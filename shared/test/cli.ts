import t from 'tap'
import { PassThrough } from 'node:stream'
import { ClaraError, EXIT, SIGNAL_GRACE_MS, UsageError, exitFor, isEpipe, toolName } from '../src/cli.js'
import { sharedModule, spawnBash, spawnTool, writeScript } from '../src/testkit-spawn.js'

function sink(): { s: PassThrough; text: () => string } {
  const s = new PassThrough()
  const chunks: Buffer[] = []
  s.on('data', (c) => chunks.push(c))
  return { s, text: () => Buffer.concat(chunks).toString('utf8') }
}

t.test('the exit-code registry', async (t) => {
  t.same(EXIT, { OK: 0, PARTIAL: 1, USAGE: 2, FATAL: 3, LOCKED: 11, MISMATCH: 12, INTERRUPTED: 130 })
  t.equal(new ClaraError('x').exitCode, 3)
  const u = new UsageError('bad flag')
  t.ok(u instanceof ClaraError)
  t.equal(u.exitCode, 2)
  t.equal(u.code, 'EUSAGE')
})

t.test('toolName', async (t) => {
  t.equal(toolName('/x/node_modules/.bin/clara-index'), 'clara-index')
  t.equal(toolName('/x/tools/index/bin.js'), 'clara')
  t.equal(toolName('/x/y/z.mjs'), 'z')
  t.equal(toolName(undefined), 'clara')
})

t.test('exitFor: one line for known errors and failed system calls, the stack for unknown ones', async (t) => {
  let e = sink()
  t.equal(exitFor(new ClaraError('locked by pid 7', EXIT.LOCKED), e.s, 'clara-x'), 11)
  t.equal(e.text(), 'clara-x: locked by pid 7\n')
  e = sink()
  t.equal(exitFor(new UsageError('Unknown argument: y'), e.s, 'clara-x'), 2)
  t.equal(e.text(), 'clara-x: Unknown argument: y\n')
  e = sink()
  t.equal(exitFor(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), e.s, 'clara-x'), 0)
  t.equal(e.text(), '', 'EPIPE is quiet')
  e = sink()
  t.equal(exitFor(new DOMException('aborted', 'AbortError'), e.s, 'clara-x'), 130)
  t.equal(e.text(), 'clara-x: interrupted\n')
  e = sink()
  t.equal(exitFor(new TypeError('boom'), e.s, 'clara-x'), 3)
  t.match(e.text(), /^clara-x: TypeError: boom\n\s+at /)
  e = sink()
  const full = Object.assign(new Error("ENOSPC: no space left on device, write '/b/x.tmp'"), { code: 'ENOSPC', errno: -28, syscall: 'write', path: '/b/x.tmp' })
  t.equal(exitFor(full, e.s, 'clara-x'), 3)
  t.equal(e.text(), "clara-x: ENOSPC: no space left on device, write '/b/x.tmp'\n", 'a failed system call: one line naming its path, no stack')
  t.ok(isEpipe({ code: 'ERR_STREAM_DESTROYED' }))
  t.notOk(isEpipe(new Error('x')))
})

/** A script whose main is given as source text, run through the real `run()`. */
function tool(dir: string, name: string, body: string): string {
  return writeScript(
    dir,
    name,
    `import { run, ClaraError, EXIT } from '${sharedModule('cli')}'
import { RecordWriter, readRecords } from '${sharedModule('ndjson')}'
run(async (io) => { ${body} }, '${name}')
`,
  )
}

t.test('run(): exit code from main, known errors as one line', async (t) => {
  const dir = t.testdir()
  let r = await spawnTool('node', [tool(dir, 'partial', 'io.stdout.write("x\\n"); return EXIT.PARTIAL')])
  t.equal(r.code, 1)
  t.equal(r.stdout, 'x\n')
  r = await spawnTool('node', [tool(dir, 'locked', 'throw new ClaraError("held by pid 42", EXIT.LOCKED)')])
  t.equal(r.code, 11)
  t.equal(r.stderr, 'locked: held by pid 42\n')
  r = await spawnTool('node', [tool(dir, 'crash', 'throw new Error("oops")')])
  t.equal(r.code, 3)
  t.match(r.stderr, /^crash: Error: oops\n\s+at /)
})

t.test('run(): a crash outside main (uncaught exception, lost rejection) is fatal 3, not 1 ("partial")', async (t) => {
  const dir = t.testdir()
  let r = await spawnTool('node', [tool(dir, 'late', 'setTimeout(() => { throw new Error("late boom") }, 5); await new Promise((ok) => setTimeout(ok, 200)); return 0')])
  t.equal(r.code, 3)
  t.match(r.stderr, /^late: Error: late boom\n\s+at /)
  r = await spawnTool('node', [tool(dir, 'lost', 'Promise.reject(new ClaraError("db went away", EXIT.FATAL)); await new Promise((ok) => setTimeout(ok, 200)); return 0')])
  t.equal(r.code, 3)
  t.equal(r.stderr, 'lost: db went away\n')
  r = await spawnTool('node', [tool(dir, 'emitter', 'const { EventEmitter } = await import("node:events"); setTimeout(() => new EventEmitter().emit("error", new ClaraError("locked elsewhere", EXIT.LOCKED)), 5); await new Promise((ok) => setTimeout(ok, 200)); return 0')])
  t.equal(r.code, 11)
  t.equal(r.stderr, 'emitter: locked elsewhere\n')
})

t.test('EPIPE on stdout exits 0: `tool | head -1` under pipefail', async (t) => {
  const dir = t.testdir()
  const spew = tool(dir, 'spew', 'const w = new RecordWriter(io.stdout); for (let i = 0; i < 200000; i++) await w.write({ type: "x", i }); await w.end(); return 0')
  const r = await spawnBash(`node ${spew} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`)
  t.equal(r.code, 0, 'pipeline status (the producer under pipefail) is 0')
  t.equal(r.stdout, '{"type":"x","i":0}\n')
  t.equal(r.stderr, 'status=0\n', 'producer exited 0 and printed nothing on stderr')
})

t.test('a consumer that stops reading early does not hang the producer', async (t) => {
  const dir = t.testdir()
  const spew = tool(dir, 'spew2', 'const w = new RecordWriter(io.stdout); for (let i = 0; ; i++) await w.write({ type: "x", i })')
  const r = await spawnBash(`node ${spew} | (read -r line; echo "$line")`)
  t.equal(r.code, 0)
  t.equal(r.stdout, '{"type":"x","i":0}\n')
})

/**
 * For a tool's body: prints "ended on its own" when the process ends because nothing is left to do
 * ('beforeExit'), which an exit forced by the grace timer (process.exit) never prints. What ended it is
 * observed, not guessed from how long it took.
 */
const DRAIN_NOTE = 'process.once("beforeExit", () => io.stdout.write("ended on its own\\n"));'

/** Start `script`, wait for its first stdout line, then send `sig`; stdin stays open. `afterSignalMs`: how long it took to end. */
async function signalWhenReady(script: string, sig: NodeJS.Signals) {
  let sentAt = 0
  const r = await spawnTool('node', [script], {
    stdinOpen: true,
    onSpawn: (child) =>
      child.stdout!.once('data', () => {
        sentAt = Date.now()
        child.kill(sig)
      }),
  })
  return { ...r, afterSignalMs: Date.now() - sentAt }
}

t.test('SIGTERM: exit 130, even when main ignores io.signal (blocked on stdin)', async (t) => {
  const dir = t.testdir()
  const stuck = tool(dir, 'stuck', `${DRAIN_NOTE} io.stdout.write("ready\\n"); for await (const r of readRecords(io.stdin)) {} return 0`)
  const r = await signalWhenReady(stuck, 'SIGTERM')
  t.equal(r.code, 130)
  t.equal(r.signal, null)
  t.equal(r.stdout, 'ready\n', 'ended by the grace timer’s exit, not by main')
  // a timer never fires early: the lower bound holds however busy the machine (the upper one would not)
  t.ok(r.afterSignalMs >= SIGNAL_GRACE_MS - 50, `not before the grace period (${r.afterSignalMs} ms)`)
})

t.test('SIGINT: a main watching io.signal stops at once with 130', async (t) => {
  const dir = t.testdir()
  const watching = tool(dir, 'watching', `${DRAIN_NOTE} const busy = setInterval(() => {}, 1000); io.stdout.write("ready\\n"); await new Promise((_, rej) => io.signal.addEventListener("abort", () => { clearInterval(busy); rej(new DOMException("aborted", "AbortError")) })); return 0`)
  const r = await signalWhenReady(watching, 'SIGINT')
  t.equal(r.code, 130)
  t.equal(r.stderr, '', 'a signalled run exits quietly')
  t.equal(r.stdout, 'ready\nended on its own\n', 'no grace period needed: main ended and the process drained, the grace timer never ran')
})
