/** The end of a run: encryption, merged failures, manifest.json (last), then the `latest` switch. */
import { execFileSync, spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { writeJsonAtomic } from '@clara/shared/atomic'
import type { Logger } from '@clara/shared/log'
import type { RecordWriter } from '@clara/shared/ndjson'
import { switchLatest } from './run-dir.js'
import { applyBackupPerms } from '@clara/shared/perms'
import { domainTotals, totalsOf, type DomainTotals, type Manifest } from './manifest.js'
import type { Domain } from './domains.js'

export const VERSION = '0.1.0'

function appCommit(clara: string): string | null {
  const r = spawnSync('git', ['--no-optional-locks', '-C', clara, 'rev-parse', 'HEAD'], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

export interface FinishCtx {
  repo: string
  root: string
  clara: string
  started: Date
  prev: string | null
  domains: Domain[]
  /** domains whose script did not complete, with its exit code */
  broken: Map<string, number>
  incomplete: boolean
  encryptTo: string[]
  group: string
  env: NodeJS.ProcessEnv
  log: Logger
  out: RecordWriter
}

function runTool(repo: string, bin: string, args: string[], env: NodeJS.ProcessEnv): void {
  try {
    execFileSync(path.join(repo, 'node_modules/.bin', bin), args, { env, stdio: ['ignore', 'ignore', 'inherit'] })
  } catch (err) {
    const code = (err as { status?: number }).status ?? 3
    if (code >= 2) throw new ClaraError(`${bin} failed (exit ${code})`, EXIT.FATAL)
  }
}

/** Encrypt, set permissions, merge failures, write the manifest last, then switch `latest`. */
export async function finishRun(run: { id: string; dir: string; resumed: boolean }, c: FinishCtx): Promise<Manifest> {
  if (c.encryptTo.length) runTool(c.repo, 'clara-encrypt', ['--run', run.dir, ...c.encryptTo.flatMap((r) => ['--to', r])], c.env)
  runTool(c.repo, 'clara-index', ['--merge', '--dest', run.dir], c.env)
  // Totals are read back after encryption, so they count the bytes actually stored.
  const perDomain: Record<string, DomainTotals> = {}
  for (const d of c.domains) {
    const t = await domainTotals(run.dir, d)
    const code = c.broken.get(d.dir)
    perDomain[d.dir] = code === undefined ? t : { ...t, incomplete: true, exit_code: code }
  }
  const totals = totalsOf(perDomain)
  const manifest: Manifest = {
    version: 1,
    run_id: run.id,
    started_at: c.started.toISOString(),
    finished_at: new Date().toISOString(),
    toolkit_version: VERSION,
    host: os.hostname(),
    clara: c.clara,
    app_commit: appCommit(c.clara),
    resumed: run.resumed,
    incremental_from: c.prev ? path.basename(c.prev) : null,
    domains: perDomain,
    totals,
    status: c.incomplete ? 'incomplete' : totals.failures ? 'partial' : 'complete',
  }
  const perms = await applyBackupPerms(run.dir, { group: c.group })
  if (perms.note) c.log.detail(perms.note)
  await writeJsonAtomic(path.join(run.dir, 'manifest.json'), manifest)
  if (!c.incomplete) await switchLatest(c.root, run.id)
  await c.out.write({ type: 'run', ...manifest })
  c.log.info(`run ${run.id} ${manifest.status}: ${totals.units} units, ${(totals.bytes / 1e6).toFixed(1)} MB, ${totals.failures} failures${c.incomplete ? ' (latest not switched)' : ''}`)
  return manifest
}
