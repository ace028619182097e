#!/usr/bin/env node
// One size of `make bench` (bench/run.sh runs it at 1× and at 2×), every figure measured in this same call:
//  1. clara-fixture --scale $BENCH_SCALE into $BENCH_OUT/clara (its size is recorded);
//  2. bench/backup.sh on it (full run, no-change rerun, the naive pipeline; its rows land in
//     $BENCH_OUT/results.ndjson), the run kept for the next steps;
//  3. bench/peers.mjs on the same install: restic, Borg and the durable-write limit (`tar cf` + `sync`), our full
//     run, rerun and restore alternating with theirs (its own medians; $BENCH_OUT/peers.json);
//  4. tools/verify/bench.mjs on the kept run (clara-verify --data full vs sha256sum; rows as in 2);
//  5. clara-restore --sources of the kept run vs `unzip` + `tar x` of its artifacts, alternating;
//  6. clara-encrypt (db, infra) and a clara-prune dry run on the kept root, so that every tool's memory is seen.
// Steps 1, 2, 4, 5, 6 run with bench/rss-hook.mjs preloaded, which logs the peak RSS of every node process.
// Writes $BENCH_OUT/size.json. Env: BENCH_OUT, BENCH_SCALE, BENCH_LABEL (1×), BENCH_REPEAT (verify, default 3),
// BENCH_RESTORE_REPEAT (restore pairs, alternating, median; default 3), and bench/peers.mjs's BENCH_PEER_REPEAT and
// BENCH_COLD_REPEAT.
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { rssEnv, toolPeaks } from './rss.mjs'
import { alternate, capture, sh, timed } from './timing.mjs'
import { artifactLists, restoreCmd, unpackAll } from './baselines.mjs'
import { rowValue } from './rows.mjs'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.resolve(process.env.BENCH_OUT ?? 'bench/out/1x')
const scale = process.env.BENCH_SCALE ?? 'projects=100,audio=10000'
const label = process.env.BENCH_LABEL ?? '1×'
const clara = path.join(out, 'clara')
const log = (msg) => console.error(`bench/size ${label}: ${msg}`)
const rssLog = (step) => path.join(out, `rss-${step}.ndjson`)
const env = (extra, step) => rssEnv(rssLog(step), { ...process.env, ...extra })
mkdirSync(out, { recursive: true })
process.chdir(repo)

// 1. The install.
rmSync(clara, { recursive: true, force: true })
const t0 = Date.now()
const fx = JSON.parse(capture(`node tools/fixture/bin.js --clara '${clara}' --quiet --scale ${scale}`, { env: env({}, 'fixture') }).split('\n')[0])
log(`fixture ${scale}: ${fx.files} files, ${(fx.bytes / 1e6).toFixed(0)} MB, ${fx.audio_files} audio files (${((Date.now() - t0) / 1000).toFixed(0)} s)`)

// 2. Full backup, no-change rerun, naive pipeline (bench/backup.sh, owned by the backup bench).
sh('bench/backup.sh', { env: env({ BENCH_OUT: out, BENCH_CLARA: clara, BENCH_SCALE: scale, BENCH_KEEP: '1' }, 'backup') })
const root = path.join(out, 'backup', 'backups')
const run = realpathSync(path.join(root, 'latest'))
const rows = () => readFileSync(path.join(out, 'results.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
const backup = { full: rowValue(rows(), 'backup: full run'), rerun: rowValue(rows(), 'backup: no-change rerun'), naive: rowValue(rows(), 'backup: naive pipeline') }

// 3. restic, Borg and the durable-write limit on the same install (bench/peers.mjs).
sh('node bench/peers.mjs', { env: env({ BENCH_OUT: out, BENCH_CLARA: clara }, 'peers') })
const peers = JSON.parse(readFileSync(path.join(out, 'peers.json'), 'utf8'))
const limit = peers.full.limit

// 4. clara-verify --data full vs sha256sum (tools/verify/bench.mjs).
sh('node tools/verify/bench.mjs', { env: env({ BENCH_OUT: out, BENCH_RUN: run, BENCH_REPEAT: process.env.BENCH_REPEAT ?? '3' }, 'verify') })
const verify = { full: rowValue(rows(), 'verify: clara-verify --data full'), sums: rowValue(rows(), 'verify: sha256sum of every artifact') }

// 5. Restore vs unzip + tar x of the same artifacts.
const work = path.join(out, 'restore')
mkdirSync(work, { recursive: true })
const lists = artifactLists(run, work)
const [to, scratch, records] = [path.join(work, 'clara'), path.join(work, 'unpacked'), path.join(work, 'records.ndjson')]
const restore = alternate({
  unpack: { cmd: unpackAll(work, scratch), before: `rm -rf '${scratch}'` },
  ours: { cmd: restoreCmd(repo, run, to, records), before: `rm -rf '${to}'`, env: env({}, 'restore'), ok: [0, 1] },
}, Number(process.env.BENCH_RESTORE_REPEAT ?? 3), log)
const summary = readFileSync(records, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.type === 'summary') ?? {}
rmSync(to, { recursive: true, force: true })
rmSync(scratch, { recursive: true, force: true })

// 6. The tools a backup run does not start by default: encryption of the kept run, retention.
const key = path.join(out, 'age.key')
rmSync(key, { force: true })
sh(`age-keygen -o '${key}' 2> /dev/null`)
const recipient = capture(`age-keygen -y '${key}'`).trim()
sh(`node tools/encrypt/bin.js --run '${run}' --to ${recipient} --quiet > /dev/null`, { env: env({}, 'other') })
sh(`node tools/prune/bin.js --root '${root}' --quiet > /dev/null`, { env: env({}, 'other') })

const rss = {}
for (const step of ['backup', 'verify', 'restore', 'other']) for (const [tool, p] of toolPeaks(rssLog(step))) {
  const q = rss[tool] ?? { mb: 0, processes: 0, step }
  rss[tool] = { mb: Math.max(q.mb, p.mb), processes: q.processes + p.processes, step: p.mb > q.mb ? step : q.step }
}
const fixtureRss = toolPeaks(rssLog('fixture')).get('clara-fixture')?.mb ?? null
const doc = {
  label, scale, install: { files: fx.files, bytes: fx.bytes, audio_files: fx.audio_files, projects: fx.projects },
  artifacts: { zips: lists.zips.length, shards: lists.shards.length, dbs: lists.dbs.length },
  seconds: { backup_full: backup.full, backup_rerun: backup.rerun, naive: backup.naive, limit, verify_full: verify.full, sha256sum: verify.sums, restore: restore.ours, unpack: restore.unpack },
  restore_summary: { ok: summary.ok, failed: summary.failed, status: summary.status, proof: summary.proof },
  peers, rss, fixture_rss_mb: fixtureRss,
}
writeFileSync(path.join(out, 'size.json'), JSON.stringify(doc, null, 2) + '\n')
log(`done: full ${backup.full.toFixed(1)} s, limit ${limit.toFixed(1)} s, restore ${restore.ours.toFixed(1)} s vs unpack ${restore.unpack.toFixed(1)} s`)
