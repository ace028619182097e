import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { errorRecord } from '@clara/shared/records'
import { decryptRun } from './decrypt-run.js'
import { encryptRun, type RunCtx } from './encrypt-run.js'
import { checkKeys, recipientList } from './keys.js'
import { selectTargets } from './select.js'

const USAGE = `$0 --run RUNDIR --to age1… [--to …] [--domains db,infra] [--no-secret-units]
$0 --decrypt --identity FILE --run RUNDIR [--out DIR]

Encrypt a backup run's secret parts with age, write-only: every file of the named domains and of
each unit whose metadata.json says "secret": true becomes <file>.age (the plaintext is removed),
and index.json / metadata entries then describe the stored bytes, keeping plaintext_sha256 and
plaintext_size. Only public keys are needed. --decrypt turns them back (checking both digests),
in place or, with --out, into a plaintext copy of the run for restore.`

/** clara-encrypt: encrypt the secret parts of a backup run to age recipients, and decrypt them for restore. */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-encrypt',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('run', { type: 'string', demandOption: true, describe: 'the run directory' })
        .option('to', { type: 'string', array: true, default: [] as string[], describe: 'an age recipient (public key, age1…); repeatable' })
        .option('recipients-file', { type: 'string', array: true, default: [] as string[], describe: 'a file of recipients, one per line (age -R)' })
        .option('domains', { type: 'string', default: 'db,infra', describe: 'domains encrypted whole (comma list)' })
        .option('secret-units', { type: 'boolean', default: true, describe: 'also encrypt units whose metadata.json says "secret": true' })
        .option('decrypt', { type: 'boolean', default: false, describe: 'decrypt instead (needs --identity)' })
        .option('identity', { type: 'string', array: true, default: [] as string[], describe: 'an age identity file (private key); repeatable' })
        .option('out', { type: 'string', describe: 'with --decrypt: build a decrypted copy of the run here, leaving the run as it is' }),
  })
  if (!opts) return EXIT.OK
  const log = new Logger(io, 'clara-encrypt', opts)
  const ageBin = io.env.CLARA_AGE || 'age'
  const runDir = path.resolve(io.cwd, opts.run)
  const keys = {
    recipients: listFlag(opts.to),
    recipientFiles: opts['recipients-file'].map((f) => path.resolve(io.cwd, f)),
    identities: opts.identity.map((f) => path.resolve(io.cwd, f)),
  }
  await checkKeys(ageBin, keys, opts.decrypt, opts.out)
  if (!(await fsp.stat(runDir).catch(() => null))?.isDirectory()) throw new ClaraError(`--run ${opts.run}: no such directory`, EXIT.FATAL, 'ENOENT')
  const out = new RecordWriter(io.stdout)
  const ctx: RunCtx = {
    runDir,
    keys,
    ageBin,
    emit: (rec) => out.write(rec),
    fail: async (item, err) => {
      log.error(item, (err as Error).message)
      await out.write(errorRecord(opts.decrypt ? 'decrypt' : 'encrypt', item, err))
    },
  }
  if (opts.decrypt) {
    const r = await decryptRun(ctx, opts.out && path.resolve(io.cwd, opts.out))
    const bytes = r.opened.reduce((n, f) => n + f.plain.size, 0)
    log.detail(`decrypted ${r.opened.length} files, ${bytes} bytes${opts.out ? ` into ${opts.out}` : ''}`)
    await out.write({ type: 'summary', tool: 'clara-encrypt', mode: 'decrypt', ok: r.opened.length, failed: r.failed + r.mismatched, mismatched: r.mismatched, bytes })
    await out.end()
    return r.mismatched ? EXIT.MISMATCH : r.failed ? EXIT.PARTIAL : EXIT.OK
  }
  const targets = await selectTargets(runDir, listFlag(opts.domains), opts['secret-units'])
  const r = await encryptRun(ctx, targets, await recipientList(keys))
  const bytes = r.sealed.reduce((n, f) => n + f.stored.size, 0)
  log.detail(`encrypted ${r.sealed.length} of ${targets.length} files, ${bytes} bytes stored`)
  await out.write({ type: 'summary', tool: 'clara-encrypt', mode: 'encrypt', ok: r.sealed.length, failed: r.failed, bytes })
  await out.end()
  return r.failed ? EXIT.PARTIAL : EXIT.OK
}
