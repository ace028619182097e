/** Steps several crash targets share. */
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import { checkFinalNames } from '../final-names.js'
import { bin } from '../paths.js'
import { recordsOf, runCmd, type Done } from '../proc.js'
import { checkListed } from '../run-checks.js'

/** After a kill: nothing partial under a final name, nothing listed that is missing or differs. */
export async function intactDir(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  return [...(await checkFinalNames(dir)), ...(await checkListed(dir))]
}

/** clara-index for every domain a tool's records name (as the domain scripts do). */
export async function indexAll(dest: string, stdout: string): Promise<string[]> {
  const file = path.join(dest, '..', `.records-${path.basename(dest)}.ndjson`)
  await fsp.writeFile(file, stdout)
  const domains = new Set(recordsOf(stdout).filter((r) => r.type === 'artifact' || r.type === 'error').map((r) => String(r.domain)))
  const problems: string[] = []
  for (const d of [...domains].sort()) {
    const r = await runCmd({ cmd: bin('clara-index'), args: ['--dest', dest, '--domain', d, '--quiet'], stdinFile: file })
    if (r.code !== 0 && r.code !== 1) problems.push(`clara-index --domain ${d}: exit ${r.code}: ${r.stderr.trim().slice(-300)}`)
  }
  await fsp.rm(file, { force: true })
  return problems
}

/** The rerun must end as the uninterrupted run did (else its whole stderr is kept in `trial/rerun.stderr`). */
export async function sameExit(what: string, got: Done, want: number, trial: string): Promise<string[]> {
  if (got.code === want) return []
  await fsp.writeFile(path.join(trial, 'rerun.stderr'), got.stderr).catch(() => {})
  return [`${what} exited ${got.code ?? got.signal}, the uninterrupted run ${want}: ${got.stderr.trim().split('\n').slice(-3).join(' | ')} (all of it in rerun.stderr)`]
}
