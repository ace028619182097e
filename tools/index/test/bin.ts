/** The built bin, spawned: what a Makefile pipeline sees. */
import t from 'tap'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { binPath, spawnBash, spawnTool } from '@clara/shared/testkit-spawn'

const bin = binPath('clara-index')
const sha = (s: string) => createHash('sha256').update(s).digest('hex')

function streamFor(dest: string): string {
  const lines: string[] = []
  for (const unit of ['1', '2']) {
    mkdirSync(path.join(dest, 'legacy_zips', unit), { recursive: true })
    writeFileSync(path.join(dest, 'legacy_zips', unit, 'legacy.zip'), `zip ${unit}`)
    lines.push(JSON.stringify({ type: 'artifact', domain: 'legacy_zips', unit, name: `lara-${unit}`, path: `legacy_zips/${unit}/legacy.zip`, size_bytes: 5, sha256: sha(`zip ${unit}`) }))
  }
  return lines.join('\n') + '\n'
}

t.test('in a pipeline: records in, files out, summary and end on stdout', async (t) => {
  const dest = t.testdir()
  writeFileSync(path.join(dest, 'in.ndjson'), streamFor(dest) + '{"type":"end","count":2}\n')
  const r = await spawnBash(`cat in.ndjson | ${bin} --dest . --domain legacy_zips`, { cwd: dest })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stderr, '')
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
  t.match(out, [{ type: 'summary', ok: 2, failed: 0, bytes: 10 }, { type: 'end', count: 1 }])
  const doc = JSON.parse(readFileSync(path.join(dest, 'legacy_zips', 'index.json'), 'utf8'))
  t.same(doc.entries.map((e: { name: string }) => e.name), ['lara-1', 'lara-2'])
})

t.test('a truncated stream (producer died): exit 3, one line, nothing written', async (t) => {
  const dest = t.testdir()
  const r = await spawnTool(bin, ['--dest', dest, '--domain', 'legacy_zips'], { input: streamFor(dest) })
  t.equal(r.code, 3)
  t.equal(r.stdout, '')
  t.equal(r.stderr, 'clara-index: stdin:2: stream ended without its end record (truncated, or the producer failed)\n')
  t.same(readdirSync(path.join(dest, 'legacy_zips')), ['1', '2'])
  const piped = await spawnBash(`{ printf '%s' '${streamFor(dest).split('\n')[0]}'; exit 3; } | ${bin} --dest ${dest} --domain legacy_zips`)
  t.equal(piped.code, 3, 'pipefail: the failed producer and the refusing consumer both fail the pipeline')
  t.same(readdirSync(path.join(dest, 'legacy_zips')), ['1', '2'])
})

t.test('usage error: exit 2, one line on stderr', async (t) => {
  const r = await spawnTool(bin, ['--dest', t.testdir(), '--domain', 'x', '--nope'])
  t.equal(r.code, 2)
  t.equal(r.stdout, '')
  t.equal(r.stderr, 'clara-index: Unknown argument: nope\n')
})
