/** The command line of clara-verify. */
import type { Io } from '@clara/shared/cli'
import { UsageError } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'
import { withLogFlags, type LogFlags } from '@clara/shared/log'
import type { DataLevel } from './data.js'

export const USAGE = `$0 RUN [options]

Verify a backup run (a run directory, or BACKUP_ROOT/latest) against the design's checklist:
project counts, every domain's index.json against the disk and the units' metadata, the
manifest totals, stray temp files, artifact sizes/sha256 and archive members (--data), the
database dump (and a scratch restore with --rehearse-db), every file path the DB refers to
(orm_audio_metadata, orm_image_metadata, orm_image_gloss_metadata), the audio SQLite copies,
and a secrets scan of infra/. One "verdict" record per check and per unit on stdout, then a
"summary"; a human summary on stderr. Writes nothing but RUN/verify_state.json (sample/full).
Exit 0: everything holds; 12: a mismatch; 3: the run cannot be read.

--data structure   sizes only (default; fast)
--data sample N%   re-hash N% of the artifacts (seeded), oldest verified first; also "sample:N%"
--data full        re-hash every artifact and read every zip/tar member`

export interface Options extends LogFlags {
  run: string
  db?: string
  data: DataLevel
  rehearseDb: boolean
  scratchUrl?: string
  seed: number
  jobs: number
  state: boolean
  /** where pg_restore and mysql are (default: PATH) */
  binDir?: string
}

/** `structure`, `full`, `sample`, `sample N%`, `sample:N%`, `sample=N`, or just `N%`. */
export function parseData(value: string, extra: string | undefined): { level: DataLevel; used: boolean } {
  const v = value.trim().toLowerCase()
  if (v === 'structure' || v === 'full') return { level: { level: v }, used: false }
  const m = /^(?:sample[\s:=]*)?(\d+(?:\.\d+)?)%?$/.exec(v)
  if (m && (v.startsWith('sample') || v.endsWith('%'))) return { level: check(Number(m[1])), used: false }
  if (v === 'sample') {
    const n = extra !== undefined ? /^(\d+(?:\.\d+)?)%?$/.exec(extra) : null
    return n ? { level: check(Number(n[1])), used: true } : { level: { level: 'sample', percent: 10 }, used: false }
  }
  throw new UsageError(`--data ${value}: want structure, sample N% or full`)
}

function check(percent: number): DataLevel {
  if (!(percent > 0 && percent <= 100)) throw new UsageError(`--data sample ${percent}%: the percentage must be in (0, 100]`)
  return { level: 'sample', percent }
}

export async function parseOptions(io: Io): Promise<Options | null> {
  const o = await parseArgs(io, {
    name: 'clara-verify',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .strict(false)
        .strictOptions(true)
        .option('db', { type: 'string', describe: 'count project rows in this live database instead of the dump metadata' })
        .option('data', { type: 'string', default: 'structure', describe: 'structure | sample N% | full' })
        .option('rehearse-db', { type: 'boolean', default: false, describe: 'restore the dump into a scratch database and compare every table' })
        .option('scratch-url', { type: 'string', describe: 'server for --rehearse-db (a scratch database is created there and dropped); default: --db, or the server the dump came from' })
        .option('seed', { type: 'number', describe: 'seed of the --data sample (default: random, printed in the summary)' })
        .option('bin-dir', { type: 'string', describe: 'folder holding pg_restore and mysql (default: PATH)' })
        .option('jobs', { type: 'number', default: 2, describe: 'artifacts checked at once' })
        .option('state', { type: 'boolean', default: true, describe: 'record verification times in RUN/verify_state.json (--no-state: write nothing)' }),
  })
  if (!o) return null
  const pos = o._.map(String)
  if (pos.length === 0) throw new UsageError('RUN is required (a run directory, or BACKUP_ROOT/latest)')
  const data = parseData(String(o.data), pos[1])
  const rest = pos.slice(data.used ? 2 : 1)
  if (rest.length) throw new UsageError(`unexpected argument(s): ${rest.join(' ')}`)
  const jobs = Number(o.jobs)
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs must be a positive integer')
  return {
    run: pos[0],
    db: o.db as string | undefined,
    data: data.level,
    rehearseDb: Boolean(o['rehearse-db']),
    scratchUrl: o['scratch-url'] as string | undefined,
    seed: o.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Math.floor(Number(o.seed)),
    jobs,
    state: Boolean(o.state),
    binDir: o['bin-dir'] as string | undefined,
    quiet: Boolean(o.quiet),
    'log-json': Boolean(o['log-json']),
    verbose: Boolean(o.verbose),
  }
}
