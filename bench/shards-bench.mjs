#!/usr/bin/env node
// The measurements behind bench/shards.sh (see there). Every comparison is timed in this same run.
import { existsSync, appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const out = process.env.BENCH_OUT ?? 'bench/out'
const R = Number(process.env.BENCH_REPEAT ?? 3)
const work = path.resolve(out, 'shards')
const clara = process.env.BENCH_CLARA ? path.resolve(process.env.BENCH_CLARA) : path.join(work, 'clara')
const audio = path.join(clara, 'audio', 'tts_repository_orm')
const bin = (name) => path.resolve('tools', name, 'bin.js')
mkdirSync(work, { recursive: true })

const sh = (cmd) => {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}`)
}
const haveTime = existsSync('/usr/bin/time')
/** Run `cmd` (bash, pipefail) in a fresh `dest`: wall seconds and peak RSS (MB) of its biggest process. */
function timed(cmd, dest) {
  rmSync(dest, { recursive: true, force: true })
  mkdirSync(dest, { recursive: true })
  sh('sync') // start every run with no dirty pages left by the previous one
  const tf = path.join(work, 'time.txt')
  const argv = haveTime
    ? ['/usr/bin/time', '-f', '%e %M', '-o', tf, 'bash', '-o', 'pipefail', '-c', cmd]
    : ['python3', '-c', `import resource,subprocess,sys,time\nt=time.time();r=subprocess.run(['bash','-o','pipefail','-c',sys.argv[1]])\nopen(sys.argv[2],'w').write('%f %d'%(time.time()-t,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\nsys.exit(r.returncode)`, cmd, tf]
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] })
  if (r.status !== 0) throw new Error(`failed (${r.status}): ${cmd}`)
  const [s, kb] = readFileSync(tf, 'utf8').trim().split(/\s+/).map(Number)
  return { s, mb: kb / 1024 }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

if (!process.env.BENCH_CLARA) {
  rmSync(clara, { recursive: true, force: true })
  sh(`node ${bin('fixture')} --clara ${clara} --quiet --scale audio=21000 > /dev/null`)
}
const files = Number(spawnSync('bash', ['-c', `find '${audio}' -type f | wc -l`], { encoding: 'utf8' }).stdout.trim())
const mb = Number(spawnSync('du', ['-sm', audio], { encoding: 'utf8' }).stdout.split(/\s/)[0])
const dest = path.join(work, 'dest')
const prev = path.join(work, 'prev')
const shard = (d, flags = '') => `node ${bin('shard')} --quiet --dest ${d} --domain audio_cache --prefix tts_audio_part --root '${audio}' ${flags} > /dev/null`
const pipeline = `node ${bin('list-audio')} --quiet --clara '${clara}' | node ${bin('shard')} --quiet --dest ${dest} --domain audio_cache --prefix tts_audio_part --report-types audio_missing,audio_unreferenced > /dev/null`
const naive = `tar czf ${dest}/audio.tgz -C '${audio}' . && sha256sum ${dest}/audio.tgz > /dev/null`
const tarcf = `tar cf ${dest}/audio.tar -C '${audio}' .`
const tarsync = `${tarcf} && sync ${dest}/audio.tar`

timed(shard(dest), dest) // warm the page cache
const t = { ours: [], tarcf: [], tarsync: [], pipe: [], naive: [], small: [], rerun: [] }
for (let i = 0; i < R; i++) {
  t.ours.push(timed(shard(dest), dest))
  t.tarcf.push(timed(tarcf, dest))
  t.tarsync.push(timed(tarsync, dest))
  t.pipe.push(timed(pipeline, dest))
  if (i === 0) t.naive.push(timed(naive, dest)) // ~20-60 s each: once is enough for a 10× question
}
t.small.push(timed(shard(dest, '--shard-size-mb 64'), dest))
timed(shard(prev), prev)
t.rerun.push(timed(shard(dest, `--link-dest ${prev}`), dest))
rmSync(dest, { recursive: true, force: true })
rmSync(prev, { recursive: true, force: true })

const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { s: median(v.map((x) => x.s)), mb: Math.max(...v.map((x) => x.mb)) }]))
const what = `${files} mp3-like files, ${mb} MB`
const rows = [
  { name: `shards: clara-shard vs tar czf + sha256sum (${what})`, value: m.naive.s / m.ours.s, goal: '≥ 10×', met: m.naive.s / m.ours.s >= 10, unit: '× faster' },
  { name: 'shards: clara-shard time / tar cf time (tar: no hashing, no fsync)', value: m.ours.s / m.tarcf.s, goal: '≤ 1.5×', met: m.ours.s / m.tarcf.s <= 1.5, unit: '×' },
  { name: 'shards: clara-shard time / (tar cf + sync) time (both durable)', value: m.ours.s / m.tarsync.s, goal: '—', met: true, unit: '×' },
  { name: 'shards: peak RSS clara-shard, one 2048 MB shard', value: m.ours.mb, goal: '< 200 MB', met: m.ours.mb < 200, unit: 'MB' },
  { name: 'shards: peak RSS clara-shard, 64 MB shards', value: m.small.mb, goal: '< 200 MB', met: m.small.mb < 200, unit: 'MB' },
  { name: 'shards: clara-list-audio | clara-shard (with DB reconciliation) vs tar czf + sha256sum', value: m.naive.s / m.pipe.s, goal: '—', met: true, unit: '× faster' },
  { name: 'shards: no-change rerun with --link-dest / full run', value: m.rerun.s / m.ours.s, goal: '—', met: true, unit: '×' },
  { name: 'shards: clara-shard (one shard)', value: m.ours.s, goal: '—', met: true, unit: 's' },
  { name: 'shards: tar czf + sha256sum', value: m.naive.s, goal: '—', met: true, unit: 's' },
  { name: 'shards: tar cf', value: m.tarcf.s, goal: '—', met: true, unit: 's' },
  { name: 'shards: tar cf + sync', value: m.tarsync.s, goal: '—', met: true, unit: 's' },
]
for (const r of rows) appendFileSync(path.join(out, 'results.ndjson'), JSON.stringify(r) + '\n')
const w = Math.max(...rows.map((r) => r.name.length))
console.log(`\n| ${'measurement'.padEnd(w)} | value | goal | met |\n|${'-'.repeat(w + 2)}|------:|------|-----|`)
for (const r of rows) console.log(`| ${r.name.padEnd(w)} | ${r.value.toFixed(3)} ${r.unit} | ${r.goal} | ${r.met ? 'yes' : 'NOT MET'} |`)
