/**
 * Every failure of a domain must reach its `<domain>/failures.json`, which the manifest counts and
 * the run's failures.json merges. Some tools write none (clara-pgdump, clara-infra), and in a script
 * of two steps (backup_audio_cache.sh) one step's errors miss the other step's file. So after each
 * domain we add the error records its script printed that the file does not hold yet (creating it in
 * clara-index's format when missing); a script that exited 1 with no failure anywhere gets one, and
 * a domain that did not complete gets one entry (step `domain-incomplete`) saying why, which the
 * domain's next attempt (--resume) removes before it runs.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from '@clara/shared/atomic'
import { failureOf, type Failure } from '@clara/shared/failures'
import type { ClaraRecord } from '@clara/shared/records'

// clara-shard writes its own entries with the record's `during` where clara-index writes `step`: the same failure either way
const stepOf = (f: Failure) => f.step ?? (f as { during?: string }).during
const same = (a: Failure, b: Failure) => a.unit === b.unit && stepOf(a) === stepOf(b) && a.message === b.message

/** A domain's failures.json: its path, and the document there (null when missing or unreadable). */
async function readFailures(runDir: string, dir: string): Promise<{ file: string; doc: any | null }> {
  const file = path.join(runDir, dir, 'failures.json')
  try {
    const doc = JSON.parse(await fsp.readFile(file, 'utf8'))
    return { file, doc: doc && Array.isArray(doc.failures) ? doc : null }
  } catch {
    return { file, doc: null }
  }
}

/** Write the domain's failures.json with `failures` (in clara-index's format when there was none). */
async function writeFailures(file: string, doc: any | null, dir: string, failures: Failure[]): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o750 })
  await writeJsonAtomic(file, { ...(doc ?? { version: 1, domain: dir }), generated_at: new Date().toISOString(), failures }, { mode: 0o640 })
}

/** The failures listed in `<runDir>/<dir>/failures.json` (none when it is missing or unreadable). */
export async function domainFailures(runDir: string, dir: string): Promise<Failure[]> {
  return (await readFailures(runDir, dir)).doc?.failures ?? []
}

/**
 * A domain that exited 0 with no error record had no failure this time: failures.json entries left by an
 * earlier attempt of a resumed run (a dump that failed then) are stale. Rewrites the file empty; the number dropped.
 */
export async function clearStaleFailures(runDir: string, dir: string): Promise<number> {
  const { file, doc } = await readFailures(runDir, dir)
  if (!doc || doc.failures.length === 0) return 0
  await writeFailures(file, doc, dir, [])
  return doc.failures.length
}

/** Bring `<runDir>/<dir>/failures.json` up to the domain's error records; the number of failures added. */
export async function ensureFailures(runDir: string, dir: string, errors: ClaraRecord[], exitCode: number): Promise<number> {
  if (exitCode >= 2 || (exitCode === 0 && errors.length === 0)) return 0
  const { file, doc } = await readFailures(runDir, dir)
  const had: Failure[] = doc?.failures ?? []
  const added = errors.map((e) => failureOf(e as Record<string, unknown>, dir)).filter((f, i, all) => !had.some((g) => same(f, g)) && all.findIndex((g) => same(f, g)) === i)
  if (exitCode === 1 && had.length === 0 && added.length === 0) {
    added.push({ unit: dir, step: 'domain', message: `the domain's script exited ${exitCode} without an error record`, code: 'EPARTIAL' })
  }
  if (added.length === 0) return 0
  await writeFailures(file, doc, dir, [...had, ...added])
  return added.length
}

const INCOMPLETE = 'domain-incomplete'

/** Record that the domain did not complete (replacing such an entry of an earlier attempt). */
export async function recordIncomplete(runDir: string, dir: string, failure: Omit<Failure, 'unit' | 'step'>): Promise<void> {
  const { file, doc } = await readFailures(runDir, dir)
  const kept = (doc?.failures ?? []).filter((f: Failure) => f.step !== INCOMPLETE)
  await writeFailures(file, doc, dir, [...kept, { unit: dir, step: INCOMPLETE, ...failure }])
}

/** Before a domain runs again: drop the entry saying an earlier attempt did not complete (true if there was one). */
export async function dropIncomplete(runDir: string, dir: string): Promise<boolean> {
  const { file, doc } = await readFailures(runDir, dir)
  if (!doc || !doc.failures.some((f: Failure) => f.step === INCOMPLETE)) return false
  await writeFailures(file, doc, dir, doc.failures.filter((f: Failure) => f.step !== INCOMPLETE))
  return true
}
