/**
 * compose.ts: tools joined in-process keep the shell's pipeline rules. The stages here are small
 * main(io) functions of the test's own (what a stage does is the point, not a tool's work); the real
 * tools composed this way are compared with their scripts in pipelines.ts.
 */
import t from 'tap'
import { Writable } from 'node:stream'
import { ClaraError, EXIT, type Main } from '@clara/shared/cli'
import { drained, readLines } from '@clara/shared/ndjson'
import { runComposition } from '../src/compose.js'
import type { Composition } from '../src/pipelines.js'

/** Collects what is written, as text. */
function sink(): Writable & { text: () => string } {
  const parts: string[] = []
  const w = new Writable({
    write(chunk, _enc, cb) {
      parts.push(chunk.toString())
      cb()
    },
  })
  return Object.assign(w, { text: () => parts.join('') })
}

// as the tools write (RecordWriter): wait for drain, EPIPE when the reader is gone
const write = async (out: Writable, s: string) => {
  if (!out.write(s)) await drained(out)
}

const STAGES: Record<string, Main> = {
  // prints its arguments, one per line
  echo: async (io) => {
    for (const a of io.argv) await write(io.stdout, `${a}\n`)
    return 0
  },
  // upper-cases its input; logs a line without a newline at its end
  upper: async (io) => {
    for await (const line of readLines(io.stdin)) await write(io.stdout, `${line.toUpperCase()}\n`)
    io.stderr.write('upper: done')
    return 0
  },
  // exits with the code in its first argument, after reading its input
  exit: async (io) => {
    for await (const _ of readLines(io.stdin)) void _
    return Number(io.argv[0])
  },
  // a known error: one line, its code
  fail: async () => {
    throw new ClaraError('cannot go on', EXIT.FATAL)
  },
  // reads one line, then stops (like `head -1`)
  head: async (io) => {
    for await (const line of readLines(io.stdin)) {
      await write(io.stdout, `${line}\n`)
      break
    }
    return 0
  },
  // writes without end (like `yes`); ends only when its output is closed
  yes: async (io) => {
    try {
      for (;;) await write(io.stdout, 'y\n'.repeat(1024))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0
      throw err
    }
  },
  // says what its environment holds
  env: async (io) => {
    await write(io.stdout, `${io.env.CLARA_TEST_VALUE}\n`)
    return 0
  },
}

async function compose(c: Composition, signal = new AbortController().signal) {
  const stdout = sink()
  const stderr = sink()
  const code = await runComposition(c, {
    repo: '/nowhere', env: { CLARA_TEST_VALUE: 'from the domain' }, cwd: process.cwd(), signal, stdout, stderr,
    load: async (tool) => STAGES[tool] ?? Promise.reject(new Error(`no stage ${tool}`)),
  })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

const pipe = (...stages: [string, ...string[]][]) => stages.map(([tool, ...argv]) => ({ tool, argv }))

t.test('a pipeline: each stage reads the one before; a log line without its newline is ended', async (t) => {
  const r = await compose({ steps: [pipe(['echo', 'a', 'b'], ['upper'])], onFailure: 'stop' })
  t.equal(r.code, 0)
  t.equal(r.stdout, 'A\nB\n')
  t.equal(r.stderr, 'upper: done\n')
})

t.test('pipefail: the status is the last failing stage’s', async (t) => {
  t.equal((await compose({ steps: [pipe(['echo', 'x'], ['exit', '1'], ['upper'])], onFailure: 'stop' })).code, 1, 'a middle stage fails')
  t.equal((await compose({ steps: [pipe(['echo', 'x'], ['exit', '4'], ['exit', '5'])], onFailure: 'stop' })).code, 5, 'the last failing one wins')
  t.equal((await compose({ steps: [pipe(['fail'], ['upper'])], onFailure: 'stop' })).code, EXIT.FATAL, 'a throwing first stage')
})

t.test('a thrown error is one line named after the tool, as run(main) prints it', async (t) => {
  const r = await compose({ steps: [pipe(['fail'])], onFailure: 'stop' })
  t.equal(r.stderr, 'clara-fail: cannot go on\n')
})

t.test('a stage that stops reading ends its writer quietly, as a closed pipe does (no hang)', async (t) => {
  const r = await compose({ steps: [pipe(['yes'], ['head'])], onFailure: 'stop' })
  t.equal(r.code, 0)
  t.equal(r.stdout, `${'y'}\n`)
})

t.test('steps: continue keeps the last failure, stop ends at the first', async (t) => {
  const go = await compose({ steps: [pipe(['exit', '1']), pipe(['echo', 'after'])], onFailure: 'continue' })
  t.same([go.code, go.stdout], [1, 'after\n'], 'the second step ran; the status is the first step’s failure')
  const stop = await compose({ steps: [pipe(['exit', '2']), pipe(['echo', 'after'])], onFailure: 'stop' })
  t.same([stop.code, stop.stdout], [2, ''], 'the second step did not run')
})

t.test('the tools get the domain’s environment, and nothing runs once aborted', async (t) => {
  t.equal((await compose({ steps: [pipe(['env'])], onFailure: 'stop' })).stdout, 'from the domain\n')
  const ac = new AbortController()
  ac.abort()
  const r = await compose({ steps: [pipe(['echo', 'x'])], onFailure: 'stop' }, ac.signal)
  t.same([r.code, r.stdout], [0, ''])
})

t.test('an unknown tool fails the composition with its reason', async (t) => {
  await t.rejects(compose({ steps: [pipe(['missing'])], onFailure: 'stop' }), /no stage missing/)
})

