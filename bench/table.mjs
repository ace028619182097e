#!/usr/bin/env node
// The headline table from the two sizes bench/size.mjs measured in this `make bench` ($BENCH_OUT/1x/size.json and
// $BENCH_OUT/2x/size.json), and the demo-size run ($BENCH_OUT/demo.json): the peers of issue 16 (restic, Borg, the
// durable-write limit) and the goals kept from issue 7; one row per measurement and size, every ratio from figures of
// the same run. Appends the rows (marked table: "headline") to $BENCH_OUT/results.ndjson, then every size's own detail rows (bench/backup.sh,
// tools/verify/bench.mjs, per-tool RSS), prefixed with the size, for bench/report.mjs.
import { appendFileSync, readFileSync } from 'node:fs'
import path from 'node:path'

const out = path.resolve(process.env.BENCH_OUT ?? 'bench/out')
const RSS_GOAL_MB = 200
const sizes = ['1x', '2x'].map((d) => ({ dir: path.join(out, d), ...JSON.parse(readFileSync(path.join(out, d, 'size.json'), 'utf8')) }))
const rows = []
const desc = (z) => `${z.scale}: ${z.install.files} files, ${(z.install.bytes / 1e6).toFixed(0)} MB`
const add = (measurement, compared, size, value, goal, met, unit) => {
  const z = sizes.find((x) => x.label === size)
  rows.push({ name: `${measurement} vs ${compared} [${size}]`, value, goal, met, unit, table: 'headline', measurement, compared_with: compared, size, size_desc: desc(z) })
}

for (const z of sizes) {
  const s = z.seconds
  const pr = z.peers
  const ratio = (measurement, compared, a, b, goal) => add(measurement, compared, z.label, a / b, `≤ ${goal}×`, a / b <= goal, '×')
  ratio('Full backup', '`borg create` (install + DB copy)', pr.full.ours, pr.full.borg, 0.7)
  ratio('Full backup', '`restic backup` (install + DB copy)', pr.full.ours, pr.full.restic, 0.5)
  ratio('Full backup', 'the durable-write limit (`tar cf` + `sync`)', pr.full.ours, pr.full.limit, 1.6)
  ratio('No-change rerun', 'borg’s no-change `borg create`', pr.rerun.ours, pr.rerun.borg, 0.5)
  ratio('Restore of everything', 'the faster of `restic restore` and `borg extract`', pr.restore.ours, Math.min(pr.restore.borg, pr.restore.restic), 0.8)
  if (pr.cold) ratio('Full backup, cold cache', '`borg create`, cold cache', pr.cold.ours, pr.cold.borg, 0.7)
  add('Full backup', 'the naive shell pipeline', z.label, s.naive / s.backup_full, '≥ 5× faster', s.naive / s.backup_full >= 5, '× faster')
  add('No-change incremental rerun', 'the full backup', z.label, (s.backup_rerun / s.backup_full) * 100, '≤ 10% of its time', s.backup_rerun / s.backup_full <= 0.1, '%')
  add('clara-verify --data full', 'sha256sum of all artifacts', z.label, s.verify_full / s.sha256sum, '≤ 1.2× its time', s.verify_full / s.sha256sum <= 1.2, '×')
  add('Restore', 'unzip and tar x of the same artifacts', z.label, s.restore / s.unpack, '≤ 1.2×', s.restore / s.unpack <= 1.2, '×')
  const [tool, peak] = Object.entries(z.rss).sort((a, b) => b[1].mb - a[1].mb)[0] ?? ['none', { mb: NaN }]
  const under = Object.values(z.rss).every((p) => p.mb <= RSS_GOAL_MB)
  add('Peak RSS of every tool', '—', z.label, peak.mb, `≤ ${RSS_GOAL_MB} MB`, under && Object.keys(z.rss).length > 0, 'MB')
  Object.assign(rows.at(-1), { name: `Peak RSS of every tool (largest: ${tool}) [${z.label}]`, note: tool })
}
const [one, two] = sizes.map((z) => z.seconds)
add('Time at 2× size (full backup)', 'time at 1× size', sizes[1].label, two.backup_full / one.backup_full, '≤ 2.2×', two.backup_full / one.backup_full <= 2.2, '×')
const demo = JSON.parse(readFileSync(path.join(out, 'demo.json'), 'utf8'))
rows.push({ name: `Full backup of the demo-size install (${demo.files} files, ${(demo.bytes / 1e6).toFixed(1)} MB), wall`, value: demo.full, goal: '≤ 1.0 s', met: demo.full <= 1.0, unit: 's', table: 'headline', measurement: 'Full backup of the demo-size install', compared_with: 'wall time', size: 'demo', size_desc: `make demo's install: ${demo.files} files, ${(demo.bytes / 1e6).toFixed(1)} MB` })

// Details: what each size was, where its time went, every tool's peak, how the other steps grew.
const detail = (name, value, unit, goal = '—', met = true) => rows.push({ name, value, goal, met, unit, table: 'detail' })
for (const z of sizes) {
  const what = `[${z.label}: ${z.scale}, ${z.install.files} files, ${(z.install.bytes / 1e6).toFixed(0)} MB, ${z.artifacts.zips} zips, ${z.artifacts.shards} shards]`
  detail(`${what} full backup`, z.seconds.backup_full, 's')
  for (const [what, t] of Object.entries({ 'full backup': z.peers.full, 'no-change rerun': z.peers.rerun, restore: z.peers.restore, 'full backup, cold cache': z.peers.cold ?? {} })) {
    for (const [who, sec] of Object.entries(t)) detail(`[${z.label}] peers, ${what}: ${who === 'limit' ? 'durable-write limit (tar cf + sync)' : who} (median of ${z.peers.repeat})`, sec, 's')
  }
  // where the peers' time goes: CPU of each one's whole process tree, and what its full backup wrote
  for (const [what, t] of Object.entries({ 'full backup': z.peers.cpu?.full, 'no-change rerun': z.peers.cpu?.rerun, restore: z.peers.cpu?.restore, 'full backup, cold cache': z.peers.cpu?.cold }))
    for (const [who, sec] of Object.entries(t ?? {})) detail(`[${z.label}] peers, ${what}, CPU (user + system): ${who === 'limit' ? 'durable-write limit' : who}`, sec, 's')
  for (const [who, b] of Object.entries(z.peers.bytes ?? {})) detail(`[${z.label}] peers, bytes a full backup wrote: ${who === 'limit' ? 'durable-write limit (the tar)' : who}`, b / 1e6, 'MB')
  detail(`[${z.label}] clara-restore --sources (${z.restore_summary.ok} units restored, ${z.restore_summary.failed} failed, proof ${z.restore_summary.proof})`, z.seconds.restore, 's')
  detail(`[${z.label}] unzip -q every zip + tar xf every shard + cp of the DB dump`, z.seconds.unpack, 's')
  for (const [tool, p] of Object.entries(z.rss).sort()) detail(`[${z.label}] peak RSS ${tool} (${p.processes} processes; largest in the ${p.step} step)`, p.mb, 'MB', `≤ ${RSS_GOAL_MB} MB`, p.mb <= RSS_GOAL_MB)
  if (z.fixture_rss_mb != null) detail(`[${z.label}] peak RSS clara-fixture (test data generator, not a backup tool)`, z.fixture_rss_mb, 'MB')
  for (const line of readFileSync(path.join(z.dir, 'results.ndjson'), 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line)
    rows.push({ ...r, name: `[${z.label}] ${r.name}`, table: 'detail' })
  }
}
for (const [k, what] of [['naive', 'naive pipeline'], ['limit', 'durable-write limit'], ['verify_full', 'clara-verify --data full'], ['sha256sum', 'sha256sum of the artifacts'], ['restore', 'clara-restore'], ['unpack', 'unzip + tar x']]) {
  detail(`time at 2× / 1×: ${what}`, two[k] / one[k], '×')
}
for (const r of rows) appendFileSync(path.join(out, 'results.ndjson'), JSON.stringify(r) + '\n')
