#!/usr/bin/env node
// clara-backup against its peers on the same install, in the same run (issue 16): restic and Borg, as an admin
// would run them (Debian's packages), each also given a consistent copy of the SQLite database
// (`sqlite3 .backup`, timed as part of the peer's run). Every comparison alternates ours and theirs, median of
// BENCH_PEER_REPEAT (default 3):
//  - full backup: clara-backup (scripts/backup_all.sh, empty BACKUP_ROOT), `borg create` (a new repository,
//    `-e none`, Borg's default lz4), `restic backup` (a new repository: encrypted, compressed);
//  - the durable-write limit: `tar cf` of the install to the same disk, then `sync`;
//  - no-change rerun: ours again on the same root, a second `borg create`, a second `restic backup`;
//  - restore of everything: clara-restore (DB, sources, path migration) vs `borg extract` and `restic restore`;
//  - cold cache (root only: /proc/sys/vm/drop_caches): ours and `borg create`, caches dropped before each.
// Writes $BENCH_OUT/peers.json: median wall seconds per contender, the median CPU seconds (user + system, the
// whole process tree) of each in `cpu`, and the bytes each full backup left on disk in `bytes`. Env: BENCH_OUT (a size's folder), BENCH_CLARA,
// BENCH_PEER_REPEAT, BENCH_COLD_REPEAT (default = BENCH_PEER_REPEAT; 0 skips the cold rows).
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { alternate, capture, sh } from './timing.mjs'
import { q, restoreCmd } from './baselines.mjs'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.resolve(process.env.BENCH_OUT ?? 'bench/out/1x')
const clara = path.resolve(process.env.BENCH_CLARA ?? path.join(out, 'clara'))
const repeat = Number(process.env.BENCH_PEER_REPEAT ?? 3)
const coldRepeat = Number(process.env.BENCH_COLD_REPEAT ?? repeat)
const work = path.join(out, 'peers')
const log = (msg) => console.error(`bench/peers: ${msg}`)
process.chdir(repo)
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })

const p = (name) => path.join(work, name)
const [root, borgRepo, resticRepo, dbCopy, tarOut] = ['ours', 'borg', 'restic', 'db-copy.sqlite3', 'limit.tar'].map(p)
const env = {
  ...process.env,
  RESTIC_PASSWORD: 'bench-only', // a throwaway repository of generated data
  RESTIC_CACHE_DIR: p('restic-cache'),
  BORG_BASE_DIR: p('borg-home'),
  BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
  BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
  CLARA_CRONTAB: 'none',
}
const dbCopyCmd = `rm -f ${q(dbCopy)} && sqlite3 ${q(path.join(clara, 'db.sqlite3'))} ".backup ${q(dbCopy)}"`
let archive = 0
const cmds = {
  ours: `scripts/backup_all.sh --clara ${q(clara)} --dest ${q(root)} --lock-file ${q(p('lock'))} --quiet > /dev/null`,
  borg: () => `${dbCopyCmd} && borg create ${q(`${borgRepo}::a${++archive}`)} ${q(clara)} ${q(dbCopy)}`,
  restic: `${dbCopyCmd} && restic -r ${q(resticRepo)} backup --quiet ${q(clara)} ${q(dbCopy)} > /dev/null`,
  limit: `tar cf ${q(tarOut)} -C ${q(clara)} . && sync`,
}
// Each contender's command as a getter, so that every borg archive gets its own name.
const step = (name, extra = {}) => ({
  get cmd() { return typeof cmds[name] === 'function' ? cmds[name]() : cmds[name] },
  env, ok: name === 'ours' ? [0, 1] : [0], ...extra,
})
const fresh = {
  ours: `rm -rf ${q(root)}`,
  borg: `rm -rf ${q(borgRepo)} && borg init -e none ${q(borgRepo)} 2> /dev/null`,
  restic: `rm -rf ${q(resticRepo)} && restic -r ${q(resticRepo)} init --quiet > /dev/null`,
  limit: `rm -f ${q(tarOut)}`,
}
for (const k of Object.keys(fresh)) fresh[k] = fresh[k].replace(/^/, `export RESTIC_PASSWORD=bench-only BORG_BASE_DIR=${q(p('borg-home'))}; `)

log(`${capture('restic version').trim()}; ${capture('borg --version').trim()}`)
sh(`find ${q(clara)} -type f -print0 | xargs -0 cat > /dev/null`) // the same warm page cache for every contender

log('full backups …')
const cpu = { full: {}, rerun: {}, restore: {}, cold: {} }
const full = alternate(Object.fromEntries(['ours', 'borg', 'restic', 'limit'].map((k) => [k, step(k, { before: fresh[k] })])), repeat, log, cpu.full)
// what each full backup wrote (the last repetition's: each starts from nothing)
const bytes = Object.fromEntries(Object.entries({ ours: root, borg: borgRepo, restic: resticRepo, limit: tarOut })
  .map(([k, dir]) => [k, Number(capture(`du -sb ${q(dir)}`).split('\t')[0])]))
log('no-change reruns …')
const rerun = alternate(Object.fromEntries(['ours', 'borg', 'restic'].map((k) => [k, step(k)])), repeat, log, cpu.rerun)

log('restores …')
const [oursTo, borgTo, resticTo] = ['restore-ours', 'restore-borg', 'restore-restic'].map(p)
const latest = capture(`readlink -f ${q(path.join(root, 'latest'))}`).trim()
const restore = alternate({
  ours: { cmd: restoreCmd(repo, latest, oursTo, p('restore.ndjson')), before: `rm -rf ${q(oursTo)}`, env, ok: [0, 1] },
  borg: { cmd: `mkdir -p ${q(borgTo)} && cd ${q(borgTo)} && borg extract ${q(`${borgRepo}::a${archive}`)}`, before: `rm -rf ${q(borgTo)}`, env },
  restic: { cmd: `restic -r ${q(resticRepo)} restore latest --target ${q(resticTo)} > /dev/null`, before: `rm -rf ${q(resticTo)}`, env },
}, repeat, log, cpu.restore)
for (const d of [oursTo, borgTo, resticTo]) rmSync(d, { recursive: true, force: true })

let cold = null
let canDrop = false
try { accessSync('/proc/sys/vm/drop_caches', constants.W_OK); canDrop = true } catch {}
if (coldRepeat > 0 && canDrop) {
  log('cold cache full backups …')
  const drop = 'sync && echo 3 > /proc/sys/vm/drop_caches'
  cold = alternate({
    ours: step('ours', { before: `${fresh.ours} && ${drop}` }),
    borg: step('borg', { before: `${fresh.borg} && ${drop}` }),
  }, coldRepeat, log, cpu.cold)
} else log(canDrop ? 'cold rows skipped (BENCH_COLD_REPEAT=0)' : 'cold rows skipped: /proc/sys/vm/drop_caches is not writable (not root?)')

const doc = { repeat, full, rerun, restore, cold, cpu, bytes, cold_skipped: cold ? null : (canDrop ? 'BENCH_COLD_REPEAT=0' : 'drop_caches not writable') }
writeFileSync(path.join(out, 'peers.json'), JSON.stringify(doc, null, 2) + '\n')
log(`full: ours ${full.ours.toFixed(2)} s, borg ${full.borg.toFixed(2)} s, restic ${full.restic.toFixed(2)} s, limit ${full.limit.toFixed(2)} s`)
log(`full, CPU: ours ${cpu.full.ours.toFixed(2)} s, borg ${cpu.full.borg.toFixed(2)} s, restic ${cpu.full.restic.toFixed(2)} s; written: ${Object.entries(bytes).map(([k, b]) => `${k} ${(b / 1e6).toFixed(0)} MB`).join(', ')}`)
if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true })
