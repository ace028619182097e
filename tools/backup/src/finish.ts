/** The end of a run: encryption, merged failures, manifest.json (last), then the `latest` switch. */
import { spawnSync } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { writeJsonAtomic } from '@clara/shared/atomic'
import type { Logger } from '@clara/shared/log'
import { applyBackupPerms } from '@clara/shared/perms'
import { mergeFailures } from '@clara/shared/run-failures'
import { readLatest } from '@clara/shared/run-set'
import { isRunId, switchLatest, type RunDir } from './run-dir.js'
import { domainTotals, mergeSelection, totalsOf, type DomainTotals, type Manifest, type Selection } from './manifest.js'
import { DOMAINS, missesDefaults, type Domain } from './domains.js'
import { progressOf } from './domain-run.js'
import { toolBinDir } from './domain-env.js'

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
  /** domains reused whole, by the run they were linked from */
  reused: Map<string, string>
  /** what this invocation was asked for (its `full` is worked out here, merged with a rerun run's earlier selection) */
  selection: Omit<Selection, 'full'>
  encryptTo: string[]
  group: string
  env: NodeJS.ProcessEnv
  log: Logger
  /** relays a tool's log line */
  relay: (line: string) => void
  /** wall seconds a domain's script took (0: it did not run) */
  seconds: (dir: string) => number
  /** called just before manifest.json is written: every domain flushed and marked durable (durability.ts) */
  beforeManifest?: () => Promise<void>
}

/** Run a finishing tool; its log lines are relayed, exit ≥ 2 makes the run fail. */
function runTool(c: FinishCtx, bin: string, args: string[]): void {
  const r = spawnSync(path.join(toolBinDir(c.repo), bin), args, { env: c.env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const lines = (r.stderr ?? '').split('\n').filter((line) => line && !progressOf(line))
  for (const line of lines) c.relay(line)
  const code = r.status ?? 3
  // its last line says why (--quiet relays none)
  const why = r.error?.message ?? lines.at(-1)
  if (code >= 2) throw new ClaraError(`${bin} failed (exit ${code})${why ? `: ${why}` : ''}`, EXIT.FATAL)
}

/** The selected domains plus any other domain folder the run already has (a resumed run). */
async function manifestDomains(runDir: string, selected: Domain[]): Promise<Domain[]> {
  const present = new Set(await fsp.readdir(runDir).catch(() => [] as string[]))
  return DOMAINS.filter((d) => selected.includes(d) || present.has(d.dir))
}

/**
 * A domain's exit code when it is incomplete: its script failed now; or it did not run now and
 * either the run's earlier manifest said so or it has no index.json (it was interrupted).
 */
async function brokenCode(runDir: string, d: Domain, c: FinishCtx, earlier: any): Promise<number | null | undefined> {
  if (c.domains.includes(d)) return c.broken.get(d.dir)
  const e = earlier?.domains?.[d.dir]
  if (e?.incomplete) return e.exit_code ?? null
  const indexed = await fsp.access(path.join(runDir, d.dir, 'index.json')).then(() => true, () => false)
  return indexed ? undefined : null
}

async function perDomain(runDir: string, c: FinishCtx, earlier: any): Promise<Record<string, DomainTotals>> {
  const out: Record<string, DomainTotals> = {}
  for (const d of await manifestDomains(runDir, c.domains)) {
    const t: DomainTotals = await domainTotals(runDir, d, c.prev)
    const secs = c.seconds(d.dir)
    if (secs > 0) t.seconds = Math.round(secs * 1000) / 1000
    const from = c.reused.get(d.dir)
    if (from) t.reused_from = from
    const code = await brokenCode(runDir, d, c, earlier)
    out[d.dir] = code === undefined ? t : { ...t, incomplete: true, exit_code: code }
  }
  return out
}

const coversDefaults = (names: string[]) => !missesDefaults(DOMAINS.filter((d) => names.includes(d.name) || names.includes(d.dir)))

/**
 * The run's selection: this invocation's, merged with the one its earlier manifest recorded (a rerun of
 * some domains into a finished run). A resumed run whose earlier attempt left no manifest is full when it
 * has no --only/--skip and now holds every default domain.
 */
function runSelection(c: FinishCtx, earlier: any, domains: Record<string, DomainTotals>): Selection {
  const now = { ...c.selection, full: !c.selection.only.length && !c.selection.skip.length && coversDefaults(c.selection.domains) }
  const s = mergeSelection(earlier?.selection, now, coversDefaults)
  return s.full || s.only.length || s.skip.length || !coversDefaults(Object.keys(domains)) ? s : { ...s, full: true }
}

/**
 * `latest` moves only to a run of every project and every default domain. `--skip` (and --text-types) are
 * standing choices (a project always left out) and do not keep it back, though clara-prune counts only
 * `selection.full` runs.
 */
function switchesLatest(s: Selection, domains: Record<string, DomainTotals>): boolean {
  return s.full || (!s.only.length && (coversDefaults(s.domains) || coversDefaults(Object.keys(domains))))
}

/** Switch `latest` to the run unless it points to a newer run already (a rerun into an older run never moves it back). */
async function moveLatest(root: string, id: string): Promise<string> {
  const cur = await readLatest(root)
  if (cur && isRunId(cur) && cur > id) return `latest stays on ${cur}: it is newer than this run`
  await switchLatest(root, id)
  return `latest → ${id}`
}

/** Encrypt, set permissions, merge failures, write the manifest last, then switch `latest`. */
export async function finishRun(run: RunDir, c: FinishCtx): Promise<{ manifest: Manifest; latest: string }> {
  if (c.encryptTo.length) runTool(c, 'clara-encrypt', ['--run', run.dir, ...c.encryptTo.flatMap((r) => ['--to', r])])
  await mergeFailures(run.dir)
  // Totals are read back after encryption, so they count the bytes actually stored.
  const domains = await perDomain(run.dir, c, run.earlier)
  const totals = totalsOf(domains)
  const incomplete = Object.values(domains).some((d) => d.incomplete)
  const selection = runSelection(c, run.earlier, domains)
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
    selection,
    domains,
    totals,
    status: incomplete ? 'incomplete' : totals.failures ? 'partial' : 'complete',
  }
  const perms = await applyBackupPerms(run.dir, { group: c.group })
  if (perms.note) c.log.detail(perms.note)
  await c.beforeManifest?.()
  await writeJsonAtomic(path.join(run.dir, 'manifest.json'), manifest, { mode: 0o640, alwaysSync: true })
  let latest: string
  if (incomplete) latest = `latest not switched: the run is incomplete (resume it with --resume ${run.id})`
  else if (!switchesLatest(selection, domains)) latest = 'latest not switched: the run covers only part of the install (--only/--domains)'
  else latest = await moveLatest(c.root, run.id)
  return { manifest, latest }
}
