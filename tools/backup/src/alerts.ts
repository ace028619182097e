/**
 * Telling someone how a run went, off a terminal (cron, systemd): `--notify CMD` runs CMD with the run's
 * summary as JSON on stdin when the run ends partial, incomplete, locked or interrupted, or starts short of
 * space; `--ping URL` is a healthchecks-style dead man's switch: URL/start when the run starts, then URL
 * (the run completed: complete or partial) or URL/fail (it did not), each end with the summary as the body.
 * Neither ever changes the run's exit code: a failed alert is a warning line.
 */
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { EXIT } from '@clara/shared/cli'
import type { Logger } from '@clara/shared/log'
import { readJson } from '@clara/shared/read-json'
import type { RunFailuresDoc } from '@clara/shared/run-failures'
import type { Manifest } from './manifest.js'

export interface AlertOptions {
  /** a shell command line; the summary goes to its stdin */
  notify?: string
  /** the check's URL: URL/start, URL, URL/fail */
  ping?: string
}

/** What a run ended as, by its exit code. */
export const OUTCOME: Record<number, string> = {
  [EXIT.OK]: 'complete',
  [EXIT.PARTIAL]: 'partial',
  [EXIT.USAGE]: 'usage',
  [EXIT.FATAL]: 'incomplete',
  [EXIT.LOCKED]: 'locked',
  [EXIT.INTERRUPTED]: 'interrupted',
}

/** The outcomes --notify reports (a complete run is silent). */
const NOTIFY_ON = new Set(['partial', 'incomplete', 'locked', 'interrupted', 'low-space'])
/** How many of the run's failures the summary lists (the rest are counted). */
const MAX_FAILURES = 20
const PING_TIMEOUT_MS = 10_000

export interface RunSummary {
  event: 'run-end' | 'low-space'
  status: string
  exit_code: number | null
  host: string
  backup_root: string
  run_id: string | null
  message: string
  [k: string]: unknown
}

/**
 * The summary of a run that ended with `code`: the manifest's numbers and the first failures when it got
 * that far (never a URL or a password); `message` is the run's last error line, if it had one.
 */
export async function endSummary(root: string, code: number, message: string | null, result?: { manifest: Manifest; latest: string }): Promise<RunSummary> {
  const m = result?.manifest
  const status = m?.status ?? OUTCOME[code] ?? 'incomplete'
  const said = message ?? (m ? `run ${m.run_id} ${status}: ${m.totals.units} units, ${m.totals.failures} failures; ${result!.latest}` : status)
  const base: RunSummary = { event: 'run-end', status, exit_code: code, host: os.hostname(), backup_root: root, run_id: m?.run_id ?? null, message: said }
  if (!m) return base
  const doc = await readJson<RunFailuresDoc>(path.join(root, m.run_id, 'failures.json')).catch(() => null)
  const failures = doc?.failures ?? []
  return {
    ...base,
    started_at: m.started_at,
    finished_at: m.finished_at,
    selection: m.selection,
    totals: m.totals,
    domains: Object.fromEntries(Object.entries(m.domains).map(([dir, d]) => [dir, { units: d.units, failures: d.failures, new_bytes: d.new_bytes, ...(d.incomplete ? { incomplete: true, exit_code: d.exit_code } : {}) }])),
    failures: failures.slice(0, MAX_FAILURES).map((f) => ({ domain: f.domain, unit: f.unit, step: f.step, code: f.code, message: f.message })),
    failures_not_listed: Math.max(0, failures.length - MAX_FAILURES),
  }
}

export class RunAlerts {
  constructor(
    private readonly o: AlertOptions,
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The run starts: URL/start. */
  async started(): Promise<void> {
    if (this.o.ping) await this.ping('/start', '')
  }

  /** Something the admin should hear about before the run ends (low space). */
  async warn(s: RunSummary): Promise<void> {
    await this.notify(s)
  }

  /** The run ended with `code`: URL or URL/fail, and --notify unless it was complete. */
  async finished(s: RunSummary): Promise<void> {
    const body = JSON.stringify(s)
    if (this.o.ping) await this.ping(s.exit_code === EXIT.OK || s.exit_code === EXIT.PARTIAL ? '' : '/fail', body)
    await this.notify(s)
  }

  private async notify(s: RunSummary): Promise<void> {
    if (!this.o.notify || !NOTIFY_ON.has(s.event === 'low-space' ? 'low-space' : s.status)) return
    // the command gets the summary, not the database URL (it may hold a password)
    const env: NodeJS.ProcessEnv = { ...this.env, CLARA_RUN_STATUS: s.status, CLARA_RUN_ID: s.run_id ?? '', CLARA_RUN_EVENT: s.event }
    delete env.DATABASE_URL
    const why = await new Promise<string | null>((resolve) => {
      const child = spawn('/bin/sh', ['-c', this.o.notify!], { env, stdio: ['pipe', 'ignore', 'pipe'] })
      let err = ''
      child.stderr.on('data', (d) => (err = (err + String(d)).slice(-500)))
      child.on('error', (e) => resolve(e.message))
      child.on('close', (code, sig) => resolve(code === 0 ? null : `exit ${code ?? sig}${err.trim() ? `: ${err.trim().split('\n').at(-1)}` : ''}`))
      child.stdin.on('error', () => {})
      child.stdin.end(JSON.stringify(s) + '\n')
    })
    if (why) this.log.warn('notify', `--notify command failed (${why}); the run's own exit code is unchanged`)
    else this.log.detail(`notified: ${s.event} ${s.status}`)
  }

  private async ping(suffix: string, body: string): Promise<void> {
    const url = `${this.o.ping!.replace(/\/+$/, '')}${suffix}`
    const shown = new URL(url).host
    try {
      const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(PING_TIMEOUT_MS) })
      if (!r.ok) this.log.warn('ping', `--ping ${suffix || '(success)'} to ${shown}: HTTP ${r.status}`)
      await r.body?.cancel()
    } catch (err) {
      this.log.warn('ping', `--ping ${suffix || '(success)'} to ${shown} failed: ${(err as Error).message}`)
    }
  }
}
