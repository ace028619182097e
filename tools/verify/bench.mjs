#!/usr/bin/env node
// make bench, verify part: `clara-verify --data full` against `sha256sum` of every artifact of the same run
// (A and B alternating, medians), plus peak RSS and the `structure` level. Table rows are appended as JSON
// lines to $BENCH_OUT/results.ndjson (collected by bench/report.mjs).
// Env: BENCH_OUT (default bench/out), BENCH_REPEAT (default 5), BENCH_RUN (an existing run directory; default:
// clara-fixture --scale projects=200,audio=20000,legacy_mb=100 backed up by clara-backup into $BENCH_OUT/verify/).
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const out = path.resolve(repo, process.env.BENCH_OUT ?? 'bench/out')
const R = Number(process.env.BENCH_REPEAT ?? 5)
const work = path.join(out, 'verify')
const bin = (name) => path.join(repo, 'tools', name, 'bin.js')
mkdirSync(work, { recursive: true })

const sh = (cmd, env = process.env) => {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'], env })
  if (r.status !== 0 && r.status !== 1) throw new Error(`failed (${r.status}): ${cmd}`)
}
/** Wall seconds and peak RSS (MB) of `cmd`. */
function timed(cmd) {
  const tf = path.join(work, 'time.txt')
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', tf, 'bash', '-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}`)
  const [s, kb] = readFileSync(tf, 'utf8').trim().split(/\s+/).map(Number)
  return { s, mb: kb / 1024 }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

let run = process.env.BENCH_RUN
if (!run) {
  const clara = path.join(work, 'clara')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  sh(`node ${bin('fixture')} --clara ${clara} --quiet --scale projects=200,audio=20000,legacy_mb=100 > /dev/null`)
  sh(`node ${bin('backup')} --clara ${clara} --dest ${work}/backups --lock-file ${work}/lock --quiet > /dev/null`, { ...process.env, CLARA_CRONTAB: 'none' })
  run = path.join(work, 'backups', 'latest')
}
run = realpathSync(run)
const list = path.join(work, 'artifacts.txt')
const found = spawnSync('find', [run, '-type', 'f', '(', '-name', '*.zip', '-o', '-name', '*.tar', '-o', '-name', '*.tgz', '-o', '-name', '*.dump', '-o', '-name', '*.sqlite3', '-o', '-name', '*.sql', '-o', '-name', '*.db', '-o', '-name', '*.age', ')'], { encoding: 'utf8' }).stdout
writeFileSync(list, found)
const n = found.split('\n').filter(Boolean).length
const mb = Number(spawnSync('bash', ['-c', `xargs -a '${list}' du -cm | tail -1`], { encoding: 'utf8' }).stdout.split(/\s/)[0])
const sums = `xargs -a '${list}' sha256sum > /dev/null`
const full = `node ${bin('verify')} '${run}' --data full --no-state --quiet > /dev/null`
const structure = `node ${bin('verify')} '${run}' --no-state --quiet > /dev/null`
if (!existsSync('/usr/bin/time')) throw new Error('bench needs /usr/bin/time (Debian package "time")')

timed(sums) // warm the page cache
const t = { sums: [], full: [], structure: [] }
for (let i = 0; i < R; i++) {
  t.sums.push(timed(sums))
  t.full.push(timed(full))
  if (i < 3) t.structure.push(timed(structure))
}
const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { s: median(v.map((x) => x.s)), mb: Math.max(...v.map((x) => x.mb)) }]))
const what = `${n} artifacts, ${mb} MB`
const rows = [
  { name: `verify: clara-verify --data full time / sha256sum time (${what})`, value: m.full.s / m.sums.s, goal: '≤ 1.2×', met: m.full.s / m.sums.s <= 1.2, unit: '×' },
  { name: 'verify: peak RSS clara-verify --data full', value: m.full.mb, goal: '< 200 MB', met: m.full.mb < 200, unit: 'MB' },
  { name: 'verify: clara-verify --data full', value: m.full.s, goal: '—', met: true, unit: 's' },
  { name: 'verify: sha256sum of every artifact', value: m.sums.s, goal: '—', met: true, unit: 's' },
  { name: 'verify: clara-verify --data structure', value: m.structure.s, goal: '—', met: true, unit: 's' },
]
for (const r of rows) appendFileSync(path.join(out, 'results.ndjson'), JSON.stringify(r) + '\n')
for (const r of rows) console.log(`${r.name}: ${+r.value.toFixed(3)} ${r.unit} (goal ${r.goal})${r.met ? '' : ' NOT MET'}`)
