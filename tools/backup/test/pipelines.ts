/**
 * pipelines.ts says what each domain's script composes; clara-backup runs that in a thread of its own.
 * Here every domain is run both ways on the same fixture, into two run directories: the script by bash
 * (as `make backup-<domain>` does), the composition as clara-backup runs it (runDomain, thread mode).
 * They must print the same records and write the same files, byte for byte where the bytes do not hold
 * a time. A script changed without its entry in pipelines.ts fails here.
 */
import t from 'tap'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { filesUnder } from '@clara/shared/testkit'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { composeMode, runDomain } from '../src/domain-run.js'
import { domainEnv } from '../src/domain-env.js'
import { DOMAINS } from '../src/domains.js'
import { makeFixture, REPO, runEnv } from './helpers.js'

const f = await makeFixture('pipelines')
t.teardown(f.cleanup)
const flags = { dry: false, checksums: true, only: [], skip: [], existing: 'skip', workers: 2 }
const envFor = (runDir: string) =>
  domainEnv(runEnv({ CLARA_BACKUP_COMPOSE: '' }), REPO, { clara: f.clara, db: f.db, runDir, runId: path.basename(runDir), prev: null }, flags, { quiet: true })

/** Times and run folders differ between the two runs; everything else must not. */
function normal(text: string, runDir: string): string {
  return text
    .replaceAll(runDir, '<run>')
    .replace(/\d{8}[T_]\d{6}Z?/g, '<time>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<iso>')
    .replace(/"(seconds|elapsed_ms|duration_ms|ms)":[\d.]+/g, '"$1":<n>')
}

/** Each file: its name (times normalised), and its bytes' sha256 (or, where it holds times, its normalised text's). */
function tree(runDir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const rel of filesUnder(runDir).map((p) => path.relative(runDir, p))) {
    const bytes = readFileSync(path.join(runDir, rel))
    const text = /\.(json|ndjson|txt)$/.test(rel) ? normal(bytes.toString('utf8'), runDir) : null
    out[normal(rel, runDir)] = createHash('sha256').update(text ?? bytes).digest('hex')
  }
  return out
}

const records = (stdout: string, runDir: string) => stdout.split('\n').filter(Boolean).map((l) => normal(l, runDir)).sort()

t.equal(composeMode({}), 'thread', 'clara-backup composes in a thread unless told otherwise')
t.equal(composeMode({ CLARA_BACKUP_COMPOSE: 'scripts' }), 'scripts')

for (const d of DOMAINS) {
  t.test(`${d.name}: the script and clara-backup's composition write the same`, async (t) => {
    const byScript = path.join(f.dir, `script-${d.name}`, '20261208T000000Z')
    const byThread = path.join(f.dir, `thread-${d.name}`, '20261208T000000Z')
    const s = await spawnTool('bash', [path.join(REPO, 'scripts', d.script)], { env: envFor(byScript), timeoutMs: 300_000 })
    const lines: string[] = []
    const logs: string[] = []
    const r = await runDomain(REPO, d, {
      env: envFor(byThread),
      out: { write: async (rec) => void lines.push(JSON.stringify(rec)) },
      onLine: (l) => logs.push(l),
      onProgress: () => {},
      signal: new AbortController().signal,
    })
    t.equal(r.exit_code, s.code, `the same exit status (${s.code}); thread log: ${logs.slice(-3).join(' | ')}`)
    t.ok(r.stream_ok, 'the records ended with their end record')
    // runDomain tags every record with its domain and drops the end record; the script's are as printed
    const scriptRecs = records(s.stdout, byScript).map((l) => JSON.parse(l)).filter((x) => x.type !== 'end').map((x) => normal(JSON.stringify({ ...x, domain: x.domain ?? d.dir }), byScript)).sort()
    t.same(records(lines.join('\n'), byThread), scriptRecs, 'the same records')
    const a = tree(byScript)
    const b = tree(byThread)
    t.same(Object.keys(b).sort(), Object.keys(a).sort(), 'the same files')
    for (const rel of Object.keys(a)) if (b[rel] !== undefined) t.equal(b[rel], a[rel], `${rel}: the same bytes`)
  })
}
