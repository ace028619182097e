import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'
import { Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter, readRecords } from '@clara/shared/ndjson'
import { indexDomain } from './domain-index.js'
import { readDomainStream } from './domain-stream.js'
import { mergeFailures } from '@clara/shared/run-failures'

const NAME = 'clara-index'
const USAGE = `$0 --dest RUNDIR --domain DOMAIN [--fresh] [--dry-run] < records.ndjson
$0 --dest RUNDIR --merge

Write RUNDIR/DOMAIN/index.json (one entry per artifact record) and
RUNDIR/DOMAIN/failures.json (one entry per error record) from a complete record
stream, atomically. A stream without its end record is refused and nothing is
written. Entries of units the stream does not mention are kept from an existing
index.json while their file is still on disk (--fresh drops them).
With --merge, stdin is not read: every RUNDIR/*/failures.json is merged into
RUNDIR/failures.json.
Prints a summary record. Exit 0: no failures; 1: failures recorded; 3: fatal.`

/** Parse and check the arguments; null when --help/--version was answered. */
async function options(io: Io) {
  const o = await parseArgs(io, {
    name: NAME,
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('dest', { type: 'string', demandOption: true, describe: 'the backup run directory' })
        .option('domain', { type: 'string', describe: 'the domain directory to index, e.g. source_exports' })
        .option('merge', { type: 'boolean', default: false, describe: "merge every domain's failures.json into RUNDIR/failures.json" })
        .option('fresh', { type: 'boolean', default: false, describe: 'ignore the index.json and failures.json already there' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'read and check the stream, write nothing' }),
  })
  if (!o) return null
  if (!o.dest) throw new UsageError('--dest: a run directory is required')
  if (o.merge && o.domain !== undefined) throw new UsageError('--merge takes no --domain')
  if (!o.merge && o.domain === undefined) throw new UsageError('--domain is required (or --merge)')
  if (o.domain !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.domain)) throw new UsageError(`--domain: "${o.domain}" is not a directory name`)
  return o
}

/** clara-index: index.json and failures.json for a domain, or the run's merged failures.json. */
export async function main(io: Io): Promise<number> {
  const opts = await options(io)
  if (!opts) return EXIT.OK
  const dest = path.resolve(io.cwd, opts.dest)
  const log = new Logger(io, NAME, opts)
  const out = new RecordWriter(io.stdout)
  if (opts.merge) {
    const doc = await mergeFailures(dest)
    const domains = Object.keys(doc.domains).length
    log.detail(`${path.join(dest, 'failures.json')}: ${doc.failures.length} failures from ${domains} domains`)
    await out.write({ type: 'summary', tool: NAME, ok: domains, failed: doc.failures.length, bytes: 0, merged: doc.domains })
    await out.end()
    return doc.failures.length ? EXIT.PARTIAL : EXIT.OK
  }
  const domain = opts.domain!
  const stream = await readDomainStream(readRecords(io.stdin), domain)
  const dryRun = opts['dry-run'] || stream.planned > 0
  const r = await indexDomain(stream, { dest, domain, fresh: opts.fresh, dryRun })
  // A dry run writes nothing, so its plan (planned artifacts, and the errors it would record) goes on to stdout.
  if (!r.written) for (const rec of stream.plan) await out.write(rec)
  for (const p of r.problems) {
    log.error(p.item, p.message)
    await out.write(p)
  }
  const bytes = r.entries.reduce((n, e) => n + e.size_bytes, 0)
  log.detail(`${domain}: ${r.entries.length} entries (${r.indexed} from this stream, ${r.kept} kept), ${r.failures.length} failures${r.written ? '' : ', nothing written (dry run)'}`)
  await out.write({
    type: 'summary', tool: NAME, domain, ok: r.indexed, failed: r.failed, bytes,
    entries: r.entries.length, failures: r.failures.length, kept: r.kept, planned: stream.planned, ignored: stream.ignored, written: r.written,
  })
  await out.end()
  return r.failed ? EXIT.PARTIAL : EXIT.OK
}
