/** The command line of clara-shard. */
import type { Io } from '@clara/shared/cli'
import { UsageError } from '@clara/shared/cli'
import { listFlag, parseArgs } from '@clara/shared/args'
import { withLogFlags, type LogFlags } from '@clara/shared/log'
import type { CompressMode } from './compression.js'
import { parseRootSpec, type RootSpec } from './root-spec.js'

export const USAGE = `$0 --dest RUNDIR --domain NAME [--prefix NAME | --single NAME] [--root DIR[:PREFIX]]... [options]

Pack files into tar shards with member listings, written atomically under RUNDIR/NAME/:
size-bounded, stable shards archives/<prefix>_0001.tar|.tgz (default), or one archive <single>.tar|.tgz.
Input: \`file\` records on stdin ({type:"file", root, path}), or the trees given by --root.
Output: artifact, warning and error records, a summary; other records pass through.`

export interface Options extends LogFlags {
  dest: string
  domain: string
  prefix: string
  single?: string
  roots: RootSpec[]
  exclude: string[]
  shardSizeBytes: number
  compress: CompressMode
  level: number
  linkDest?: string
  full: boolean
  existing: 'skip' | 'overwrite'
  checksums: boolean
  reportTypes: string[]
  restoreTo?: string
  dryRun: boolean
  /** archives written at once */
  workers: number
  /** live progress on stderr (a TTY) */
  progress?: boolean
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/** Parse argv; null when --help/--version was printed. */
export async function parseOptions(io: Io): Promise<Options | null> {
  const o = await parseArgs(io, {
    name: 'clara-shard',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .option('dest', { type: 'string', demandOption: true, describe: 'run directory (archives go to RUNDIR/<domain>/)' })
        .option('domain', { type: 'string', demandOption: true, describe: 'domain folder, e.g. audio_cache or snapshots' })
        .option('prefix', { type: 'string', default: 'shard', describe: 'shard name prefix: archives/<prefix>_0001.tar' })
        .option('single', { type: 'string', describe: 'write one unbounded archive <single>.tar|.tgz (directories kept) instead of shards' })
        .option('root', { type: 'string', array: true, describe: 'archive this tree (repeatable); DIR:PREFIX puts its files under PREFIX/' })
        .option('exclude', { type: 'string', array: true, describe: 'leave out paths matching this glob (relative to the root; repeatable)' })
        .option('shard-size-mb', { type: 'number', default: 2048, describe: 'upper bound of a shard (MB = 2^20 bytes)' })
        .option('compress', { choices: ['auto', 'gzip', 'none'] as const, default: 'auto' as const, describe: 'auto: gzip only where a sample shrinks by 5% or more' })
        .option('gzip-level', { type: 'number', default: 1, describe: 'gzip level 1-9 (1: ~4× faster than 6 on text, a few % bigger)' })
        .option('link-dest', { type: 'string', describe: 'previous run directory: hard-link archives whose members are unchanged' })
        .option('full', { type: 'boolean', default: false, describe: 'rewrite every archive (no reuse)' })
        .option('existing', { choices: ['skip', 'overwrite'] as const, default: 'skip' as const, describe: 'skip: keep archives already in this run directory whose members are unchanged; overwrite: rewrite them' })
        .option('checksums', { type: 'boolean', default: false, describe: 'before reusing an archive, re-hash it and compare with its index entry (member sha256s are always listed)' })
        .option('workers', { type: 'number', default: 1, describe: 'archives written at once (1: files read here, the archive written on a second thread once there are 20 MiB to write; N: N threads each writing whole archives)' })
        .option('report-types', { type: 'string', array: true, describe: 'count these record types into index.json and keep them in reports.ndjson' })
        .option('restore-to', { type: 'string', describe: 'recorded in index.json: where the members go back to, relative to the install root' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan as artifact records (planned: true); write nothing' }),
  })
  if (!o) return null
  const single = o.single as string | undefined
  for (const [flag, v] of [['--domain', o.domain], ['--prefix', o.prefix], ['--single', single]] as const) {
    if (v !== undefined && !NAME.test(v)) throw new UsageError(`${flag} ${v}: use letters, digits, '.', '_' and '-'`)
  }
  const size = o['shard-size-mb'] as number
  if (!(size > 0)) throw new UsageError('--shard-size-mb must be positive')
  const workers = o.workers as number
  if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`--workers: ${workers} is not a whole number ≥ 1`)
  const level = o['gzip-level'] as number
  if (!Number.isInteger(level) || level < 1 || level > 9) throw new UsageError('--gzip-level must be 1-9')
  return {
    dest: o.dest as string,
    domain: o.domain as string,
    prefix: o.prefix as string,
    single,
    roots: ((o.root as string[] | undefined) ?? []).map((r) => parseRootSpec(r, io.cwd)),
    exclude: (o.exclude as string[] | undefined) ?? [],
    shardSizeBytes: Math.floor(size * 2 ** 20),
    compress: o.compress as CompressMode,
    level,
    linkDest: o['link-dest'] as string | undefined,
    full: Boolean(o.full),
    existing: o.existing as 'skip' | 'overwrite',
    checksums: Boolean(o.checksums),
    reportTypes: listFlag(o['report-types']),
    restoreTo: o['restore-to'] as string | undefined,
    dryRun: Boolean(o['dry-run']),
    workers,
    quiet: Boolean(o.quiet),
    'log-json': Boolean(o['log-json']),
    verbose: Boolean(o.verbose),
  }
}
