#!/usr/bin/env node
// Collect the JSON lines each bench script appended to $BENCH_OUT/results.ndjson into
// bench/results.json ({name, value, goal, met} per measurement, the headline rows first) and print the tables:
// the headline table (one column per size), then every other measurement. A goal not met stays, marked NOT MET.
import { readFileSync, writeFileSync, renameSync } from 'node:fs'
import os from 'node:os'

const out = process.env.BENCH_OUT ?? 'bench/out'
const lines = readFileSync(`${out}/results.ndjson`, 'utf8').split('\n').filter(Boolean)
const all = lines.map((l) => JSON.parse(l))
const head = all.filter((r) => r.table === 'headline')
const rest = all.filter((r) => r.table !== 'headline')
const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`
const load = os.loadavg().map((x) => x.toFixed(2)).join(' ')
const pick = ({ name, value, goal, met, unit }) => ({ name, value, goal, met, unit })
const sizes = Object.fromEntries(head.map((r) => [r.size, r.size_desc]))
const doc = { version: 1, measured_at: new Date().toISOString(), machine, load_average_at_end: load, sizes, results: [...head, ...rest].map(pick) }
writeFileSync('bench/results.json.tmp', JSON.stringify(doc, null, 2) + '\n')
renameSync('bench/results.json.tmp', 'bench/results.json')

const num = (v) => (typeof v === 'number' ? +v.toFixed(v >= 100 ? 0 : 2) : v)
const fmt = (r) => (r ? `${num(r.value)}${r.unit ? ' ' + r.unit : ''}${r.note ? ` (${r.note})` : ''}${r.met ? '' : ' — NOT MET'}` : '—')
console.log(`\nMeasured on ${machine}; load average at the end ${load} (1, 5, 15 min)\n`)
if (head.length) {
  console.log(`Sizes (clara-fixture --scale): ${Object.entries(sizes).map(([s, d]) => `${s} = ${d}`).join('; ')}\n`)
  const keys = [...new Set(head.map((r) => `${r.measurement}\u0000${r.compared_with}`))]
  const cols = Object.keys(sizes)
  console.log(`| Measurement | Compared with | Goal | ${cols.join(' | ')} |`)
  console.log(`|---|---|---|${cols.map(() => '---:|').join('')}`)
  for (const k of keys) {
    const rs = head.filter((r) => `${r.measurement}\u0000${r.compared_with}` === k)
    console.log(`| ${rs[0].measurement} | ${rs[0].compared_with} | ${rs[0].goal} | ${cols.map((s) => fmt(rs.find((r) => r.size === s))).join(' | ')} |`)
  }
  console.log('')
}
const w = Math.max(...rest.map((r) => r.name.length), 11)
console.log(`| ${'measurement'.padEnd(w)} | value | goal | met |`)
console.log(`|${'-'.repeat(w + 2)}|------:|------|-----|`)
for (const r of rest) console.log(`| ${r.name.padEnd(w)} | ${typeof r.value === 'number' ? +r.value.toFixed(3) : r.value}${r.unit ? ' ' + r.unit : ''} | ${r.goal} | ${r.met ? 'yes' : 'NOT MET'} |`)
