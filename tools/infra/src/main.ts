import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { PLACEHOLDER } from '@clara/shared/redact'
import { claraRedactOptions } from './clara-env.js'
import { gather } from './gather.js'
import { planInfra, scrubCollected, writeInfra } from './infra-dir.js'
import { render } from './render.js'

const USAGE = `$0 --clara DIR --dest RUNDIR [options]

Capture the server configuration of a C-LARA install into RUNDIR/infra/: git_info.txt,
settings_snapshot.txt, .env.sample, nginx/, systemd_units/, crontab.txt and index.json.
Every secret is redacted. A missing input is recorded (index.json "missing", a warning record),
never fatal. Flags naming inputs are repeatable; the value "none" turns that input off.
With --dry-run, reads and redacts the same way but writes nothing: the artifact records
(the same sizes and sha256) and the summary carry planned: true.`

/** clara-infra: capture server configuration (git info, settings, nginx, systemd, crontab) with every secret redacted. */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-infra',
    usage: USAGE,
    build: (y) =>
      withLogFlags(
        y
          .option('clara', { type: 'string', demandOption: true, describe: 'the C-LARA checkout and data root ($CLARA)' })
          .option('dest', { type: 'string', demandOption: true, describe: 'the backup run directory; writes DEST/infra/' })
          .option('env-file', { type: 'string', array: true, default: [], describe: 'shell/dotenv file with the settings (e.g. ~/.bashrc); repeatable' })
          .option('settings', { type: 'string', array: true, default: [], describe: 'any other settings file to copy, redacted; repeatable' })
          .option('nginx', { type: 'string', array: true, describe: 'nginx site file, directory or glob (default /etc/nginx/{sites-available,sites-enabled,conf.d}/*clara*)' })
          .option('systemd', { type: 'string', array: true, describe: 'systemd unit file or glob (default gunicorn.service, qcluster.service, *clara* and drop-ins in /etc/systemd/system)' })
          .option('crontab', { type: 'string', describe: 'crontab file to copy instead of running crontab -l' })
          .option('crontab-user', { type: 'string', describe: 'whose crontab to list (default: the owner of --clara)' })
          .option('git-dir', { type: 'string', describe: 'the git checkout to describe (default: --clara)' })
          .option('redact-name', { type: 'string', array: true, default: [], describe: 'another variable whose value is secret; repeatable' })
          .option('keep-name', { type: 'string', array: true, default: [], describe: 'a variable to keep in clear (e.g. S3_BUCKET_NAME); repeatable' })
          .option('process-env', { type: 'boolean', default: true, describe: "also snapshot C-LARA's variables from this tool's own environment" })
          .option('dry-run', { type: 'boolean', default: false, describe: 'read and redact as usual, emit the records with planned: true; write nothing' })
          .conflicts('crontab', 'crontab-user'),
      ),
  })
  if (!opts) return EXIT.OK
  const clara = path.resolve(io.cwd, opts.clara)
  if (!(await fsp.stat(clara).catch(() => null))?.isDirectory()) throw new UsageError(`--clara ${opts.clara}: not a directory`)
  const runDir = path.resolve(io.cwd, opts.dest)
  const log = new Logger(io, 'clara-infra', opts)
  const collect = new Set<string>()
  const redact = { ...claraRedactOptions(listFlag(opts['redact-name']), listFlag(opts['keep-name']), collect), collect }
  const set = await gather({
    clara,
    cwd: io.cwd,
    env: io.env,
    envFiles: opts['env-file'].map(String),
    settings: opts.settings.map(String),
    nginx: opts.nginx?.map(String),
    systemd: opts.systemd?.map(String),
    crontab: opts.crontab,
    crontabUser: opts['crontab-user'],
  })
  const when = new Date().toISOString()
  const gitDir = path.resolve(io.cwd, opts['git-dir'] ?? clara)
  const { outputs, notGit } = await render(set, { clara, gitDir, env: io.env, processEnv: opts['process-env'], redact })
  const dry = opts['dry-run']
  const entries = dry ? planInfra(outputs) : await writeInfra(runDir, outputs, set.missing, set.failed, { created_at: when, clara })
  // Every message below is scrubbed too: a path or a git error must not carry a value we redacted.
  const clean = (s: string) => scrubCollected(s, collect, PLACEHOLDER).text
  const w = new RecordWriter(io.stdout)
  for (const e of entries) {
    await w.write({ type: 'artifact', domain: 'infra', unit: e.name, path: e.path, size_bytes: e.size_bytes, sha256: e.sha256, redactions: e.redactions, ...(dry ? { planned: true } : {}) })
    log.detail(`${e.path}: ${e.size_bytes} bytes, ${e.redactions} redacted${dry ? ' (planned)' : ''}`)
  }
  const warnings: { item: string; message: string; unit: string }[] = set.missing.map((m) => ({ item: clean(m.source), message: `${m.kind} input not captured: ${clean(m.reason)}`, unit: m.kind }))
  if (notGit) warnings.push({ item: gitDir, message: `not a git checkout: ${clean(notGit)}`, unit: 'git_info.txt' })
  for (const m of warnings) {
    await w.write({ type: 'warning', during: 'infra', domain: 'infra', ...m })
    log.warn(m.item, m.message)
  }
  for (const f of set.failed) {
    const rec = { type: 'error', during: 'infra', item: clean(f.source), message: `${f.kind}: ${clean(f.message)}`, domain: 'infra', unit: f.kind, ...(f.code ? { code: f.code } : {}) }
    await w.write(rec)
    log.error(rec.item, rec.message)
  }
  const bytes = entries.reduce((n, e) => n + e.size_bytes, 0)
  const redactions = entries.reduce((n, e) => n + e.redactions, 0)
  await w.write({ type: 'summary', tool: 'clara-infra', ok: entries.length, failed: set.failed.length, bytes, missing: set.missing.length, redactions, ...(dry ? { planned: true } : {}) })
  await w.end()
  return set.failed.length ? EXIT.PARTIAL : EXIT.OK
}
