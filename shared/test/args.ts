import t from 'tap'
import type { Argv } from 'yargs'
import type { Io } from '../src/cli.js'
import { listFlag, parseArgs } from '../src/args.js'
import { withLogFlags } from '../src/log.js'
import { runMain } from '../src/testkit.js'
import { sharedModule, spawnTool, writeScript } from '../src/testkit-spawn.js'

const spec = {
  name: 'clara-demo',
  usage: '$0 --dest DIR [--workers N]\n\nA demo tool.',
  build: (y: Argv) => withLogFlags(y.option('dest', { type: 'string', demandOption: true, describe: 'backup run directory' }).option('workers', { type: 'number', default: 1 }).option('only', { type: 'string', array: true })),
}

async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, spec)
  if (!opts) return 0
  io.stdout.write(JSON.stringify({ dest: opts.dest, workers: opts.workers, only: listFlag(opts.only), quiet: opts.quiet }) + '\n')
  return 0
}

t.test('--help and -h: help on stdout, exit 0, nothing on stderr', async (t) => {
  for (const flag of ['--help', '-h']) {
    const r = await runMain(main, { argv: [flag] })
    t.equal(r.code, 0)
    t.equal(r.stderr, '')
    t.match(r.stdout, /^clara-demo --dest DIR \[--workers N\]\n\nA demo tool\./)
    t.match(r.stdout, /--dest +backup run directory/)
    t.match(r.stdout, /--log-json/)
    t.ok(r.stdout.endsWith('\n'))
  }
})

t.test('--version and -V', async (t) => {
  for (const flag of ['--version', '-V']) {
    const r = await runMain(main, { argv: [flag] })
    t.equal(r.code, 0)
    t.equal(r.stdout, '0.1.0\n')
  }
})

t.test('good arguments are parsed', async (t) => {
  const r = await runMain(main, { argv: ['--dest', '/x', '--workers', '3', '--only', '1,2', '--only', 'a b', '--quiet'] })
  t.equal(r.code, 0)
  t.same(JSON.parse(r.stdout), { dest: '/x', workers: 3, only: ['1', '2', 'a', 'b'], quiet: true })
})

t.test('usage errors: exit 2 with exactly one line on stderr, nothing on stdout', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--dest', '/x', '--bogus'], /Unknown argument: bogus/],
    [[], /Missing required argument: dest/],
    [['--dest', '/x', 'stray'], /Unknown argument: stray/],
    [['--dest', '/x', '--workers', 'many'], /--workers: not a number/],
  ]
  for (const [argv, re] of cases) {
    const r = await runMain(main, { argv })
    t.equal(r.code, 2, argv.join(' '))
    t.equal(r.stdout, '')
    t.equal(r.stderr.split('\n').length, 2, 'one line')
    t.match(r.stderr, re)
  }
})

t.test('the same through a real process and run()', async (t) => {
  const dir = t.testdir()
  const script = writeScript(
    dir,
    'clara-demo',
    `import { run } from '${sharedModule('cli')}'
import { parseArgs } from '${sharedModule('args')}'
run(async (io) => {
  const o = await parseArgs(io, { name: 'clara-demo', usage: '$0 --dest DIR', build: (y) => y.option('dest', { type: 'string', demandOption: true }) })
  return o ? 0 : 0
}, 'clara-demo')
`,
  )
  let r = await spawnTool('node', [script, '--help'])
  t.equal(r.code, 0)
  t.match(r.stdout, /^clara-demo --dest DIR/)
  t.equal(r.stderr, '')
  r = await spawnTool('node', [script, '--dest', 'x', '--nope'])
  t.equal(r.code, 2)
  t.equal(r.stdout, '')
  t.equal(r.stderr, 'clara-demo: Unknown argument: nope\n')
})

t.test('listFlag', async (t) => {
  t.same(listFlag(undefined), [])
  t.same(listFlag(false), [])
  t.same(listFlag('a,b, c'), ['a', 'b', 'c'])
  t.same(listFlag(['1', 2, 'x y']), ['1', '2', 'x', 'y'])
  t.same(listFlag(''), [])
})
