/** A slow consumer is not flooded: a producer of 1,000,000 records keeps a flat memory (issue 2). */
import t from 'tap'
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { childEnv, sharedModule, writeScript } from '../src/testkit-spawn.js'

const N = 1_000_000
const PAUSE_MS = 1500
const RSS_LIMIT_MB = 150

t.test(`1,000,000 records into a slow pipe: producer peak RSS < ${RSS_LIMIT_MB} MB`, async (t) => {
  const producer = writeScript(
    t.testdir(),
    'producer',
    `import { run } from '${sharedModule('cli')}'
import { RecordWriter } from '${sharedModule('ndjson')}'
run(async (io) => {
  const started = Date.now()
  const w = new RecordWriter(io.stdout)
  for (let i = 0; i < ${N}; i++) await w.write({ type: 'file', root: 'audio', path: 'elevenlabs/fra/voice/' + i + '.mp3', size: i })
  await w.end()
  io.stderr.write(JSON.stringify({ maxrss_mb: process.resourceUsage().maxRSS / 1024, ms: Date.now() - started }) + '\\n')
  return 0
}, 'producer')
`,
  )
  const child = spawn('node', [producer], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() })
  let err = ''
  child.stderr.on('data', (c) => (err += c))
  const closed = new Promise<number | null>((r) => child.on('close', r))
  child.stdout.pause()
  await sleep(PAUSE_MS) // a consumer that is not reading at all
  let lines = 0
  let tail = ''
  let chunks = 0
  for await (const chunk of child.stdout) {
    const s = String(chunk)
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) lines++
    tail = (tail + s).slice(-200)
    if (++chunks % 8 === 0) await sleep(1) // and then a slow one
  }
  t.equal(await closed, 0, err)
  t.equal(lines, N + 1, 'every record and the end record arrived')
  t.match(tail, /\{"type":"end","count":1000000\}\n$/)
  const stats = JSON.parse(err.trim().split('\n').pop()!)
  t.ok(stats.maxrss_mb < RSS_LIMIT_MB, `producer peak RSS ${stats.maxrss_mb.toFixed(0)} MB`)
  t.ok(stats.ms >= PAUSE_MS - 100, `the producer waited for the consumer (${stats.ms} ms)`)
})
