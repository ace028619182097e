#!/usr/bin/env node
// Collect the JSON lines each bench script appended to $BENCH_OUT/results.ndjson into
// bench/results.json ({name, value, goal, met} per measurement) and print the table.
import { readFileSync, writeFileSync, renameSync } from 'node:fs'
import os from 'node:os'

const out = process.env.BENCH_OUT ?? 'bench/out'
const lines = readFileSync(`${out}/results.ndjson`, 'utf8').split('\n').filter(Boolean)
const rows = lines.map((l) => JSON.parse(l))
const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`
const doc = { version: 1, measured_at: new Date().toISOString(), machine, results: rows.map(({ name, value, goal, met, unit }) => ({ name, value, goal, met, unit })) }
writeFileSync('bench/results.json.tmp', JSON.stringify(doc, null, 2) + '\n')
renameSync('bench/results.json.tmp', 'bench/results.json')
const w = Math.max(...rows.map((r) => r.name.length), 11)
console.log(`\nMeasured on ${machine}\n`)
console.log(`| ${'measurement'.padEnd(w)} | value | goal | met |`)
console.log(`|${'-'.repeat(w + 2)}|------:|------|-----|`)
for (const r of rows) console.log(`| ${r.name.padEnd(w)} | ${typeof r.value === 'number' ? +r.value.toFixed(3) : r.value}${r.unit ? ' ' + r.unit : ''} | ${r.goal} | ${r.met ? 'yes' : 'NOT MET'} |`)
