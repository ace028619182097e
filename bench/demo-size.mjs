#!/usr/bin/env node
// The demo-size row of `make bench` (issue 16): a full clara-backup run of `make demo`'s install (clara-fixture
// with no --scale, SQLite), wall time, median of BENCH_DEMO_REPEAT (default 3), each into an empty BACKUP_ROOT.
// Writes $BENCH_OUT/demo.json {files, bytes, full, runs}.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { capture, median, timed } from './timing.mjs'
import { q } from './baselines.mjs'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.resolve(process.env.BENCH_OUT ?? 'bench/out')
const work = path.join(out, 'demo')
const [clara, root] = [path.join(work, 'clara'), path.join(work, 'backups')]
process.chdir(repo)
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
const fx = JSON.parse(capture(`node tools/fixture/bin.js --clara ${q(clara)} --quiet`).split('\n')[0])
// A nightly run starts long after the last edit: let the fresh install age past the 2-s window of domain reuse.
await new Promise((r) => setTimeout(r, 2100))
const env = { ...process.env, CLARA_CRONTAB: 'none', CLARA_NGINX: 'none', CLARA_SYSTEMD: 'none' }
const cmd = `scripts/backup_all.sh --clara ${q(clara)} --dest ${q(root)} --lock-file ${q(path.join(work, 'lock'))} --quiet > /dev/null`
const runs = []
for (let i = 0; i < Number(process.env.BENCH_DEMO_REPEAT ?? 3); i++) runs.push(timed(cmd, { env, ok: [0, 1], before: `rm -rf ${q(root)}` }))
const doc = { files: fx.files, bytes: fx.bytes, full: median(runs), runs }
writeFileSync(path.join(out, 'demo.json'), JSON.stringify(doc, null, 2) + '\n')
console.error(`bench/demo-size: ${fx.files} files, ${(fx.bytes / 1e6).toFixed(1)} MB: full run ${doc.full.toFixed(2)} s (median of ${runs.map((x) => x.toFixed(2)).join(', ')})`)
if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true })
