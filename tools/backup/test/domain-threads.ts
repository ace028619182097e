/**
 * domain-threads.ts: the domains of a run share their threads. What is counted is the worker threads actually
 * started (node:worker_threads' Worker, replaced here by a subclass that notes its entry); the tools run are real
 * ones, asked for their --help (cheap), or made to hang at a file (CLARA_FAULT_INJECT=HANG) to be stopped.
 */
import t from 'tap'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { workerNamesSince, workersStarted } from '@clara/shared/testkit-workers'
import { EXIT } from '@clara/shared/cli'
import { DomainThreads } from '../src/domain-threads.js'
import type { Composition } from '../src/pipelines.js'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { REPO, runEnv } from './helpers.js'

const started = workersStarted()

const help = (tool: string): Composition => ({ steps: [[{ tool, argv: ['--help'] }]], onFailure: 'stop' })

const text = async (s: Readable): Promise<string> => {
  let out = ''
  for await (const chunk of s) out += String(chunk)
  return out
}

/** Run one composition to its end: its status and what it printed. */
async function runOne(threads: DomainThreads, name: string, c: Composition, env: NodeJS.ProcessEnv) {
  const w = threads.run(name, c, REPO, env)
  const [stdout, stderr, code] = await Promise.all([text(w.stdout), text(w.stderr), w.exited])
  return { stdout, stderr, code }
}

t.test('domains run one after the other share one thread, each with its own output', async (t) => {
  const threads = new DomainThreads(Infinity)
  t.teardown(() => threads.close())
  const env = runEnv()
  const before = started.length
  const a = await runOne(threads, 'audio', help('list-audio'), env)
  const b = await runOne(threads, 'db', help('pgdump'), env)
  const c = await runOne(threads, 'audio', help('list-audio'), env)
  t.same([a.code, b.code, c.code], [0, 0, 0])
  t.match(a.stdout, /^clara-list-audio /)
  t.match(b.stdout, /^clara-pgdump /)
  t.notMatch(b.stdout, /list-audio/, "nothing of the domain before in this one's output")
  t.equal(c.stdout, a.stdout, 'a tool loaded again in the same thread prints the same')
  t.same(workerNamesSince(before), ['domain-thread.js'], 'one thread started')
})

t.test('two domains at once: two threads, then both reused', async (t) => {
  const threads = new DomainThreads(Infinity)
  t.teardown(() => threads.close())
  const env = runEnv()
  const before = started.length
  const first = await Promise.all([runOne(threads, 'a', help('index'), env), runOne(threads, 'b', help('shard'), env)])
  const second = await Promise.all([runOne(threads, 'c', help('index'), env), runOne(threads, 'd', help('shard'), env)])
  t.same([...first, ...second].map((r) => r.code), [0, 0, 0, 0])
  t.same(workerNamesSince(before), ['domain-thread.js', 'domain-thread.js'])
})

t.test('a domain with another environment gets a thread of its own (a thread keeps the environment it started with)', async (t) => {
  const threads = new DomainThreads(Infinity)
  t.teardown(() => threads.close())
  const before = started.length
  await runOne(threads, 'a', help('index'), runEnv())
  await runOne(threads, 'b', help('index'), runEnv())
  t.equal(started.length - before, 2)
})

t.test('a stopped domain ends as interrupted, and its thread is not reused', async (t) => {
  const dir = t.testdir({})
  mkdirSync(path.join(dir, 'src'))
  writeFileSync(path.join(dir, 'src', 'hang.mp3'), 'x')
  const threads = new DomainThreads(Infinity)
  t.teardown(() => threads.close())
  const env = runEnv({ CLARA_FAULT_INJECT: 'HANG@read:hang.mp3' })
  const before = started.length
  const hang: Composition = { steps: [[{ tool: 'shard', argv: ['--dest', path.join(dir, 'out'), '--domain', 'a', '--root', path.join(dir, 'src'), '--quiet'] }]], onFailure: 'stop' }
  const w = threads.run('a', hang, REPO, env)
  const out = Promise.all([text(w.stdout), text(w.stderr)])
  w.stop(200)
  t.equal(await w.exited, EXIT.INTERRUPTED)
  await out
  const next = await runOne(threads, 'b', help('index'), env)
  t.equal(next.code, 0)
  t.same(workerNamesSince(before), ['domain-thread.js', 'domain-thread.js'], 'the next domain starts a new thread')
})

t.test('after a domain that took more CPU than the bound (here: any), the thread is ended and the next domain gets a new one', async (t) => {
  const threads = new DomainThreads(-1)
  t.teardown(() => threads.close())
  const env = runEnv()
  const before = started.length
  const a = await runOne(threads, 'a', help('index'), env)
  const b = await runOne(threads, 'b', help('index'), env)
  t.same([a.code, b.code], [0, 0])
  t.equal(b.stdout, a.stdout)
  t.same(workerNamesSince(before), ['domain-thread.js', 'domain-thread.js'])
})

t.test('a domain run after close() (a failed run\'s other lane) gets a thread that ends with it: the process ends', async (t) => {
  const mod = new URL('../src/domain-threads.js', import.meta.url).href
  const script = `
    const { DomainThreads } = await import(${JSON.stringify(mod)})
    const threads = new DomainThreads(Infinity)
    await threads.close()
    const w = threads.run('a', { steps: [[{ tool: 'index', argv: ['--help'] }]], onFailure: 'stop' }, ${JSON.stringify(REPO)}, process.env)
    let out = ''
    for await (const c of w.stdout) out += c
    console.log(await w.exited, out.split(' ')[0])`
  // the kill after 120 s is only there so that a thread left alive fails the test instead of hanging it
  const r = await spawnTool(process.execPath, ['--input-type=module', '-e', script], { env: runEnv(), timeoutMs: 120_000 })
  t.same([r.code, r.signal, r.stdout.trim()], [0, null, '0 clara-index'], r.stderr)
})
