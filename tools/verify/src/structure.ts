/** The run's shape: manifest, totals, temp files and each domain's index (verdicts `manifest`, `totals`, `temp`, `index`). */
import type { DomainScan } from './domain-scan.js'
import type { Run } from './run-dir.js'
import { findTemps } from './temps.js'
import { checkTotals } from './totals.js'
import type { Verdicts } from './verdicts.js'

/** The manifest itself: present, finished, and the status the backup gave the run. */
async function manifestVerdict(run: Run, v: Verdicts): Promise<void> {
  const m = run.manifest
  if (!m) return v.add('manifest', 'manifest.json', false, run.manifestProblem)
  if (m.status === 'incomplete') return v.add('manifest', 'manifest.json', false, 'the run is incomplete (a domain did not finish)', { status: m.status })
  const msg = `run ${m.run_id ?? '?'} of ${m.clara ?? '?'}, ${m.status ?? 'no status'}`
  if (m.status === 'partial') return v.add('manifest', 'manifest.json', true, `${msg}: some units failed and are listed in failures.json`, { warning: true, status: m.status })
  await v.add('manifest', 'manifest.json', true, msg, { status: m.status })
}

export async function checkStructure(run: Run, scans: DomainScan[], v: Verdicts): Promise<void> {
  await manifestVerdict(run, v)
  if (run.manifest) await v.expect('totals', 'manifest.json', await checkTotals(run.dir, run.manifest, scans.map((s) => s.domain)), 'domain and overall totals equal the sums of the indexes')
  const temps = await findTemps(run.dir)
  for (const t of temps) await v.add('temp', t, true, 'stray temp file (left by an interrupted writer; not part of the backup)', { warning: true })
  for (const s of scans) {
    const n = s.indexEntries?.length ?? 0
    await v.expect('index', `${s.domain}/index.json`, s.indexProblems, `${n} entries, exactly the artifacts on disk`)
  }
}

/** One verdict per unit, once its structure and data problems are all in. */
export async function unitVerdicts(scans: DomainScan[], v: Verdicts, verified: Map<string, boolean>): Promise<void> {
  for (const s of scans) {
    for (const u of s.units) {
      const checked = u.artifacts.filter((a) => verified.has(a.rel)).length
      const what = u.artifacts.length ? `${u.artifacts.length} artifact(s)${checked ? `, ${checked} re-hashed` : ', sizes match'}` : 'no artifacts'
      await v.expect('unit', u.item, u.problems, what, { domain: u.domain, unit: u.name })
    }
  }
}
