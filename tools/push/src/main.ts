import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { listRuns } from '@clara/shared/run-set'
import { planPush } from './plan.js'
import { parseRemote, remoteLabel, rsyncDest } from './remote.js'
import { latestCall, manifestsCall, parseStats, runRsync, runsCall, type RsyncCall } from './rsync.js'

const USAGE = `$0 --root BACKUP_ROOT --remote [user@]host:/path [--ssh "ssh -p 2222 -i KEY"]

Copy every finished backup run off-site with rsync over SSH in one transfer, so hard links
between runs are kept (-H); partial transfers are safe to rerun. Unfinished runs and 'latest'
are not sent; the remote 'latest' is switched (atomically) only after every run arrived whole.
The SSH command comes from --ssh or $CLARA_PUSH_SSH. REMOTE may also be a local directory.`

/** rsync's partial-transfer exits (some files not sent): a rerun finishes them. */
const PARTIAL_CODES = new Set([23, 24])

/** clara-push: copy finished backup runs off-site with rsync over SSH, hard links preserved. */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-push',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('root', { type: 'string', demandOption: true, describe: 'the local backup root' })
        .option('remote', { type: 'string', demandOption: true, describe: '[user@]host:/path, or a local directory' })
        .option('ssh', { type: 'string', describe: 'the SSH command for rsync -e (default $CLARA_PUSH_SSH, else ssh)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan, send nothing' }),
  })
  if (!opts) return EXIT.OK
  const log = new Logger(io, 'clara-push', opts)
  const remote = parseRemote(opts.remote, io.cwd)
  const ssh = remote.kind === 'ssh' ? opts.ssh || io.env.CLARA_PUSH_SSH || undefined : undefined
  const root = path.resolve(io.cwd, opts.root)
  if (!(await fsp.stat(root).catch(() => null))?.isDirectory()) throw new ClaraError(`--root ${opts.root}: no such directory`, EXIT.FATAL, 'ENOENT')
  const plan = planPush(await listRuns(root))
  const out = new RecordWriter(io.stdout)
  const label = remoteLabel(remote)
  for (const id of plan.skipped) {
    log.detail(`skip ${id}: unfinished`)
    await out.write({ type: 'push', run: id, remote: label, status: 'skipped', reason: 'unfinished (no manifest.json)' })
  }
  if (!plan.runs.length) throw new ClaraError(`${root}: no finished run to push`, EXIT.FATAL, 'ENORUNS')
  const dest = rsyncDest(remote)
  const sh = async (call: RsyncCall, what: string) => {
    log.detail(`rsync ${call.args.join(' ')}`)
    if (opts['dry-run']) return null
    const r = await runRsync(call, io.env, io.signal)
    if (r.code === 0) return r
    const why = `rsync (${what}) exit ${r.code}: ${r.stderr.replace(/\r/g, '').trim().split('\n').slice(-3).join(' | ')}`
    if (!PARTIAL_CODES.has(r.code)) throw new ClaraError(`${why}; nothing switched, rerun to resume`, EXIT.FATAL, 'ERSYNC')
    await out.write({ type: 'error', during: 'push', item: label, message: why, code: `RSYNC${r.code}` })
    log.error(label, `${why}; latest not switched, rerun to finish`)
    return 'partial' as const
  }
  const sent = await sh(runsCall(root, plan.runs, dest, ssh), 'runs')
  if (sent === 'partial') return await finish(out, EXIT.PARTIAL)
  if ((await sh(manifestsCall(root, plan.runs, dest, ssh), 'manifests')) === 'partial') return await finish(out, EXIT.PARTIAL)
  const stats = sent ? parseStats(sent.stdout) : { bytes: 0, files: 0 }
  for (const id of plan.runs) await out.write({ type: 'push', run: id, remote: label, status: opts['dry-run'] ? 'planned' : 'sent' })
  if (plan.latest && (await switchRemoteLatest(plan.latest, dest, ssh, sh)) === 'partial') return await finish(out, EXIT.PARTIAL)
  await out.write({ type: 'push', latest: plan.latest, remote: label, status: opts['dry-run'] ? 'planned' : 'switched' })
  log.detail(`${opts['dry-run'] ? 'would push' : 'pushed'} ${plan.runs.length} runs to ${label} (${stats.files} files, ${stats.bytes} bytes sent); latest → ${plan.latest}`)
  await out.write({ type: 'summary', tool: 'clara-push', ok: plan.runs.length, failed: 0, bytes: stats.bytes, files: stats.files, skipped: plan.skipped.length, dry_run: opts['dry-run'] })
  return await finish(out, EXIT.OK)
}

async function finish(out: RecordWriter, code: number): Promise<number> {
  await out.end()
  return code
}

/** Send a `latest` symlink made in a private temp dir; rsync renames it into place. */
async function switchRemoteLatest<T>(id: string, dest: string, ssh: string | undefined, sh: (c: RsyncCall, what: string) => Promise<T>): Promise<T> {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'clara-push-'))
  try {
    await fsp.symlink(id, path.join(tmp, 'latest'))
    return await sh(latestCall(tmp, dest, ssh), 'latest')
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true })
  }
}
