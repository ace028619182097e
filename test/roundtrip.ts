import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { roundTrips } from '@clara/stress/roundtrip'

// Randomised round trips (fast-check): a fixture install changed at random between two backups
// (odd names, NFC/NFD twins, long and non-UTF-8 names, empty folders, orphans, DB rows), then one
// of the runs restored at random and compared with what was live when it was taken. CI runs one;
// `make stress` runs many (node tools/stress/dist/src/stress.js --roundtrips N).
const SEED = Number(process.env.CLARA_ROUNDTRIP_SEED ?? 20261127)

t.test(`a random install, changed, backed up twice, one run restored = what was live then (fast-check seed ${SEED})`, async (t) => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'clara-roundtrip-'))
  const failure = await roundTrips({ work, seed: SEED, runs: 1, backups: 2, onRun: (line) => t.comment(line) })
  t.equal(failure, null, failure ?? 'held')
  if (!failure) rmSync(work, { recursive: true, force: true })
})
