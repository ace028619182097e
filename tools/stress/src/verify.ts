/** "A run that verifies": clara-verify --data full (every artifact re-hashed, every zip/tar member read) exits 0. */
import { bin } from './paths.js'
import { recordsOf, runCmd } from './proc.js'

/** Problem lines (none when the run verifies). Writes nothing into the run (--no-state). */
export async function verifyRun(run: string): Promise<string[]> {
  const r = await runCmd({ cmd: bin('clara-verify'), args: [run, '--data', 'full', '--no-state', '--quiet'] })
  if (r.code === 0) return []
  const bad = recordsOf(r.stdout).filter((x) => x.type === 'verdict' && x.ok === false).map((x) => `${x.check} ${x.item}: ${x.message}`)
  return [`clara-verify exit ${r.code}${bad.length ? '' : `: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`}`, ...bad.slice(0, 10)]
}
