import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DATA_ROOTS } from '@clara/stress/live-snapshot'
import { roundTrip, sampleRoundTrip } from '@clara/stress/roundtrip'

// A randomised round trip (fast-check draws it from the seed): a fixture install changed at random
// between two backups (odd names, NFC/NFD twins, long and non-UTF-8 names, empty folders, orphans, DB
// rows), then one of the runs restored at random and compared with what was live when it was taken.
// Each data root and each table is its own assertion, and each difference its own failure naming the
// path, table or row. CI runs one; `make stress` runs many (node tools/stress/dist/src/stress.js --roundtrips N).
const SEED = Number(process.env.CLARA_ROUNDTRIP_SEED ?? 20261127)

t.test(`a random install, changed, backed up twice, one run restored = what was live then (fast-check seed ${SEED})`, async (t) => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'clara-roundtrip-'))
  const c = sampleRoundTrip(SEED, 2)
  const [batches, fulls] = c
  t.comment(`${batches.map((b) => b.length).join('+')} changes, backups ${fulls.map((f) => (f ? 'full' : 'incremental')).join(', ')}`)
  const r = await roundTrip(work, c)
  t.comment(`restored ${r.restored}`)
  t.same(r.verify, [], `clara-verify --data full passes on ${r.restored}`)
  t.equal(r.restore.code, 0, 'clara-restore exits 0', { stderr: r.restore.stderr })
  for (const root of DATA_ROOTS) {
    const here = r.differences.filter((d) => d.where === root || d.where.startsWith(`${root}/`))
    for (const d of here) t.fail(`${d.where}: ${d.what}`, { live: d.live, restored: d.restored })
    if (!here.length && r.restore.code === 0) t.pass(`${root}: the ${r.live.trees.get(root)!.length} entries live then, and nothing else`)
  }
  for (const [table, v] of r.live.tables) {
    const here = r.differences.filter((d) => d.where === `table ${table}` || d.where.startsWith(`table ${table} row `))
    for (const d of here) t.fail(`${d.where}: ${d.what}`, { live: d.live, restored: d.restored })
    if (!here.length && r.restore.code === 0) t.pass(`table ${table}: ${v.split(' ')[0]} rows as live`)
  }
  const elsewhere = r.differences.filter((d) => !DATA_ROOTS.some((root) => d.where === root || d.where.startsWith(`${root}/`)) && !d.where.startsWith('table ') )
  for (const d of elsewhere) t.fail(`${d.where}: ${d.what}`)
  for (const d of r.differences.filter((d) => d.where.startsWith('table ') && !r.live.tables.has(d.where.slice(6)))) t.fail(`${d.where}: ${d.what}`, { restored: d.restored })
  if (!r.verify.length && r.restore.code === 0 && !r.differences.length) rmSync(work, { recursive: true, force: true })
  else t.comment(`files kept in ${work}`)
})
