#!/usr/bin/env node
// The measurements behind bench/backup.sh (see there): a whole clara-backup run on the bench fixture,
// a no-change rerun against it (median time of three, extra disk of the first), the naive shell pipeline, and the peak memory of
// the run's whole process tree. Every comparison is timed in this same run.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'

const out = process.env.BENCH_OUT ?? 'bench/out'
const work = path.resolve(out, 'backup')
const clara = process.env.BENCH_CLARA ? path.resolve(process.env.BENCH_CLARA) : path.join(work, 'clara')
const scale = process.env.BENCH_SCALE ?? 'projects=200,audio=21000'
const root = path.join(work, 'backups')
const naiveDir = path.join(work, 'naive')
mkdirSync(work, { recursive: true })

const sh = (cmd, opts = {}) => {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'], ...opts })
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}`)
  return r
}
const duKB = (dir) => Number(spawnSync('du', ['-sk', dir], { encoding: 'utf8' }).stdout.split(/\s/)[0])

/** Pid → [ppid, rss KB] of every process, from /proc. */
function procTable() {
  const t = new Map()
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      t.set(Number(p), [Number(f[1]), (Number(f[21]) * 4096) / 1024])
    } catch {}
  }
  return t
}

/** RSS (KB) of `pid` and all its descendants, summed, and the largest single process. */
function treeRss(pid) {
  const t = procTable()
  let level = [pid]
  let sum = 0
  let max = 0
  const seen = new Set()
  while (level.length) {
    for (const p of level) {
      const e = t.get(p)
      if (!e || seen.has(p)) continue
      seen.add(p)
      sum += e[1]
      max = Math.max(max, e[1])
    }
    level = [...t].filter(([p, [pp]]) => level.includes(pp) && !seen.has(p)).map(([p]) => p)
  }
  return { sum, max }
}

/** Run a bash command line: wall seconds, and the peak RSS of its process tree sampled every 50 ms. */
function timed(cmd, okCodes = [0]) {
  sh('sync') // no dirty pages of the previous step
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint()
    const child = spawn('bash', ['-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] })
    let peak = 0
    let single = 0
    const timer = setInterval(() => {
      const r = treeRss(child.pid)
      peak = Math.max(peak, r.sum)
      single = Math.max(single, r.max)
    }, 50)
    child.on('close', (code) => {
      clearInterval(timer)
      const s = Number(process.hrtime.bigint() - t0) / 1e9
      if (!okCodes.includes(code)) reject(new Error(`exit ${code}: ${cmd}`))
      else resolve({ s, peakMB: peak / 1024, singleMB: single / 1024 })
    })
  })
}

if (!process.env.BENCH_CLARA) {
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  const t0 = Date.now()
  sh(`node tools/fixture/bin.js --clara '${clara}' --quiet --scale ${scale} > /dev/null`)
  console.error(`bench/backup: fixture (${scale}) built in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
}
rmSync(root, { recursive: true, force: true })
rmSync(naiveDir, { recursive: true, force: true })
const srcKB = duKB(clara)
sh(`find '${clara}' -type f -print0 | xargs -0 cat > /dev/null`) // the same warm page cache for every contender

const backup = (extra = '') =>
  `CLARA_CRONTAB=none scripts/backup_all.sh --clara '${clara}' --dest '${root}' --lock-file '${work}/lock' --quiet ${extra} > /dev/null`
// The naive pipeline: one `zip -r -q` per unit folder (sources, compiled outputs, legacy), `tar czf` of the
// audio cache, a copy of the SQLite database, then `sha256sum` of every artifact. No fsync (ours fsyncs).
const naive = [
  `mkdir -p '${naiveDir}'`,
  `for d in '${clara}'/clara_content/*/ '${clara}'/clara_compiled/*/ '${clara}'/clara_compiled_phonetic/*/ '${clara}'/clara_compiled_for_questionnaire/*/ '${clara}'/LARA_legacy/*/; do ` +
    `[ -d "$d" ] || continue; n=$(echo "$d" | md5sum | cut -c1-12); (cd "$d" && zip -r -q '${naiveDir}'/"$n".zip .); done`,
  `tar czf '${naiveDir}/audio.tgz' -C '${clara}/audio' tts_repository_orm`,
  `sqlite3 '${clara}/db.sqlite3' ".backup '${naiveDir}/db.sqlite3'"`,
  `find '${naiveDir}' -type f -print0 | xargs -0 sha256sum > '${naiveDir}/SHA256SUMS'`,
].join(' && ')

// A nightly run starts long after the last edit; clara-backup does not trust a fingerprint that saw an
// entry changed in the 2 s before its walk (it could change again unseen): let the fresh install age first.
await new Promise((r) => setTimeout(r, 2100))
console.error('bench/backup: full run …')
const full = await timed(backup(), [0, 1])
const afterFull = duKB(root)
const manifestOf = () => JSON.parse(readFileSync(path.join(root, 'latest', 'manifest.json'), 'utf8'))
const fullManifest = manifestOf()
console.error(`bench/backup: full run ${full.s.toFixed(1)} s; no-change rerun …`)
const rerun = await timed(backup(), [0, 1])
const afterRerun = duKB(root)
// A no-change rerun takes half a second, where one stray wake-up of the machine shows: the median of three
// (the extra disk is that of the first).
const reruns = [rerun.s, (await timed(backup(), [0, 1])).s, (await timed(backup(), [0, 1])).s].sort((a, b) => a - b)
rerun.s = reruns[1]
console.error(`bench/backup: rerun ${rerun.s.toFixed(2)} s (median of ${reruns.map((x) => x.toFixed(2)).join(', ')}); naive pipeline …`)
const nv = await timed(naive)
const naiveKB = duKB(naiveDir)
console.error(`bench/backup: naive ${nv.s.toFixed(1)} s`)
const manifest = manifestOf()
rmSync(naiveDir, { recursive: true, force: true })
if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true })

const what = `${process.env.BENCH_CLARA ? 'BENCH_CLARA' : scale}: ${(srcKB / 1024).toFixed(0)} MB install, ${manifest.totals.units} units`
const extraPct = ((afterRerun - afterFull) / afterFull) * 100
const rows = [
  { name: `backup: no-change rerun time / full run time (${what})`, value: (rerun.s / full.s) * 100, goal: '≤ 10%', met: rerun.s / full.s <= 0.1, unit: '%' },
  { name: 'backup: extra disk of the no-change rerun (du -sk of BACKUP_ROOT, hard links once) / full run', value: extraPct, goal: '≤ 1%', met: extraPct <= 1, unit: '%' },
  { name: 'backup: full run vs naive pipeline (zip -r per unit, tar czf audio, sqlite copy, sha256sum)', value: nv.s / full.s, goal: '≥ 5×', met: nv.s / full.s >= 5, unit: '× faster' },
  { name: 'backup: peak RSS of the full run, whole process tree (sum, sampled every 50 ms)', value: full.peakMB, goal: '—', met: true, unit: 'MB' },
  { name: 'backup: peak RSS of the full run, largest single process', value: full.singleMB, goal: '—', met: true, unit: 'MB' },
  { name: 'backup: peak RSS of the naive pipeline, whole process tree', value: nv.peakMB, goal: '—', met: true, unit: 'MB' },
  { name: 'backup: full run', value: full.s, goal: '—', met: true, unit: 's' },
  { name: 'backup: no-change rerun', value: rerun.s, goal: '—', met: true, unit: 's' },
  { name: 'backup: naive pipeline', value: nv.s, goal: '—', met: true, unit: 's' },
  { name: 'backup: disk of the full run (du -sk)', value: afterFull / 1024, goal: '—', met: true, unit: 'MB' },
  { name: 'backup: extra disk of the no-change rerun (du -sk)', value: (afterRerun - afterFull) / 1024, goal: '—', met: true, unit: 'MB' },
  { name: 'backup: disk of the naive pipeline’s output', value: naiveKB / 1024, goal: '—', met: true, unit: 'MB' },
]
// Where the time goes: each domain's script, full run and no-change rerun (from the manifests).
for (const [d, x] of Object.entries(manifest.domains)) {
  const f = fullManifest.domains[d] ?? {}
  rows.push({ name: `backup: ${d}: no-change rerun (full run ${f.seconds ?? '?'} s, ${f.units ?? '?'} units, ${x.reused} reused on rerun)`, value: x.seconds ?? 0, goal: '—', met: true, unit: 's' })
}
for (const r of rows) appendFileSync(path.join(out, 'results.ndjson'), JSON.stringify(r) + '\n')
const w = Math.max(...rows.map((r) => r.name.length))
console.log(`\n| ${'backup measurement'.padEnd(w)} | value | goal | met |`)
console.log(`|${'-'.repeat(w + 2)}|------:|------|-----|`)
for (const r of rows) console.log(`| ${r.name.padEnd(w)} | ${+r.value.toFixed(2)} ${r.unit} | ${r.goal} | ${r.met ? 'yes' : 'NOT MET'} |`)
if (!existsSync(path.join(out, 'results.ndjson'))) process.exitCode = 1
