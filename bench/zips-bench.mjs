#!/usr/bin/env node
// The measurements behind bench/zips.sh. Every comparison is timed in this same run (medians,
// A and B alternating); results go to stdout as a table and to $BENCH_OUT/results.ndjson.
import { spawnSync } from 'node:child_process'
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import path from 'node:path'

const out = process.env.BENCH_OUT ?? 'bench/out'
const N = Number(process.env.BENCH_PROJECTS ?? 200)
const R = Number(process.env.BENCH_REPEAT ?? 3)
const work = path.resolve(out, 'zips')
const tree = process.env.BENCH_TREE ? path.resolve(process.env.BENCH_TREE) : path.join(work, 'tree')
const zipUnit = path.resolve('tools/zip-unit/bin.js')
mkdirSync(work, { recursive: true })

const sh = (cmd) => {
  const r = spawnSync('bash', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}`)
}
/** Run `cmd` under /usr/bin/time: wall seconds, peak RSS in MB (of the largest process), CPU seconds. */
function timed(cmd, dest) {
  rmSync(dest, { recursive: true, force: true })
  mkdirSync(dest, { recursive: true })
  sh('sync')
  const tf = path.join(work, 'time.txt')
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', '-o', tf, 'bash', '-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}`)
  const [s, kb, user, sys] = readFileSync(tf, 'utf8').trim().split(/\s+/).map(Number)
  return { s, mb: kb / 1024, cpu: user + sys }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const du = (dir) => Number(spawnSync('du', ['-sb', dir], { encoding: 'utf8' }).stdout.split(/\s/)[0])

if (!process.env.BENCH_TREE) sh(`node bench/zips-tree.mjs ${tree} ${2 * N}`)
const dirs = readdirSync(tree, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
if (dirs.length < 2 * N) throw new Error(`${tree} has ${dirs.length} project folders, the bench needs ${2 * N}`)
for (const n of [N, 2 * N]) {
  sh(`node bench/zips-units.mjs ${tree} ${n} > ${work}/units-${n}.ndjson`)
  writeFileSync(`${work}/dirs-${n}.txt`, dirs.slice(0, n).map((d) => path.join(tree, d)).join('\n') + '\n')
}
const dest = path.join(work, 'dest')
const ours = (n, flags = '--workers 2') => `node ${zipUnit} --quiet --dest ${dest} ${flags} < ${work}/units-${n}.ndjson > /dev/null`
const naive = (n) => `while read -r d; do mkdir -p ${dest}/$(basename $d) && (cd "$d" && zip -r -q ${dest}/$(basename $d)/source.zip .); done < ${work}/dirs-${n}.txt; sha256sum ${dest}/*/source.zip > /dev/null`
const archiver = (n) => `node bench/zips-archiver.mjs ${tree} ${n} ${dest}`

timed(ours(2 * N), dest) // warm the page cache with the whole tree
const t = { naive: [], w2: [], w2x2: [], w1: [], l6: [], archiver: [] }
let sizeDefault = 0, sizeL6 = 0
for (let i = 0; i < R; i++) {
  t.naive.push(timed(naive(N), dest))
  t.w2.push(timed(ours(N), dest))
  sizeDefault = du(dest)
  t.w2x2.push(timed(ours(2 * N), dest))
}
for (let i = 0; i < Math.max(1, R - 1); i++) {
  t.w1.push(timed(ours(N, '--workers 1'), dest))
  t.l6.push(timed(ours(N, '--workers 2 --level 6'), dest))
  sizeL6 = du(dest)
}
t.archiver.push(timed(archiver(N), dest))
rmSync(dest, { recursive: true, force: true })

const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { s: median(v.map((x) => x.s)), mb: Math.max(...v.map((x) => x.mb)), cpu: median(v.map((x) => x.cpu)) }]))
const rows = [
  { name: `zips: clara-zip-unit --workers 2 vs zip -r -q + sha256sum (${N} projects)`, value: m.naive.s / m.w2.s, goal: '≥ 4×', met: m.naive.s / m.w2.s >= 4, unit: '× faster' },
  { name: `zips: peak RSS clara-zip-unit --workers 2 (${N} projects)`, value: m.w2.mb, goal: '< 200 MB', met: m.w2.mb < 200, unit: 'MB' },
  { name: `zips: peak RSS clara-zip-unit --workers 2 (${2 * N} projects)`, value: m.w2x2.mb, goal: '< 200 MB', met: m.w2x2.mb < 200, unit: 'MB' },
  { name: `zips: time ${2 * N} / ${N} projects`, value: m.w2x2.s / m.w2.s, goal: '≤ 2.2×', met: m.w2x2.s / m.w2.s <= 2.2, unit: '×' },
  { name: `zips: naive zip -r -q + sha256sum (${N} projects)`, value: m.naive.s, goal: '—', met: true, unit: 's' },
  { name: `zips: clara-zip-unit --workers 2 (${N} projects)`, value: m.w2.s, goal: '—', met: true, unit: 's' },
  { name: 'zips: clara-zip-unit --workers 1 vs naive', value: m.naive.s / m.w1.s, goal: '—', met: true, unit: '× faster' },
  { name: 'zips: clara-zip-unit --workers 2 --level 6 vs naive', value: m.naive.s / m.l6.s, goal: '—', met: true, unit: '× faster' },
  { name: 'zips: output size, level 1 (default) / level 6', value: sizeDefault / sizeL6, goal: '—', met: true, unit: '×' },
  { name: 'zips: CPU time, level 1 (default) / level 6', value: m.w2.cpu / m.l6.cpu, goal: '—', met: true, unit: '×' },
  { name: `zips: CPU time, naive / clara-zip-unit --workers 2`, value: m.naive.cpu / m.w2.cpu, goal: '—', met: true, unit: '×' },
  { name: 'zips: archiver (store media, level 6, 1 process) vs naive', value: m.naive.s / m.archiver.s, goal: '—', met: true, unit: '× faster' },
]
for (const r of rows) appendFileSync(path.join(out, 'results.ndjson'), JSON.stringify(r) + '\n')
const w = Math.max(...rows.map((r) => r.name.length))
console.log(`\n| ${'measurement'.padEnd(w)} | value | goal | met |\n|${'-'.repeat(w + 2)}|------:|------|-----|`)
for (const r of rows) console.log(`| ${r.name.padEnd(w)} | ${r.value.toFixed(3)} ${r.unit} | ${r.goal} | ${r.met ? 'yes' : 'NOT MET'} |`)
