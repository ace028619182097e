/** The environment a domain script runs with: where to read, where to write, and the propagated flags. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'
import { claraLogEnv, type LogFlags } from '@clara/shared/log'
import { FLUSH_ENV, GROUPED } from '@clara/shared/durability'

export interface RunFlags {
  dry: boolean
  checksums: boolean
  only: string[]
  skip: string[]
  textTypes?: string
  existing: string
  workers: number
  /** the run encrypts (--encrypt-to): secret units are stored, to be encrypted at its end; otherwise they are left out */
  encrypt?: boolean
}

export interface RunPlace {
  clara: string
  db: string
  runDir: string
  runId: string
  prev: string | null
}

/** Where the toolkit's clara-* commands are: bin/ in an installed copy (make install), node_modules/.bin in a checkout. */
export function toolBinDir(repo: string): string {
  const installed = path.join(repo, 'bin')
  return existsSync(installed) ? installed : path.join(repo, 'node_modules/.bin')
}

/** A flag list as the scripts read it (scripts/lib.sh): one argument per line, so a path with a space stays whole. */
export function argLines(args: string[]): string {
  const bad = args.find((a) => a.includes('\n'))
  if (bad !== undefined) throw new UsageError(`${JSON.stringify(bad)}: a line break cannot be handed to the domain scripts`)
  return args.join('\n')
}

/** The arguments of a flag list made by argLines. */
export const argsOfLines = (v: string | undefined): string[] => (v ? v.split('\n') : [])

/**
 * Scripts read CLARA, DATABASE_URL and DEST, plus CLARA_LIST_ARGS (for the listers),
 * CLARA_ARCHIVE_ARGS (for clara-zip-unit and clara-shard), one argument per line, CLARA_DRY_RUN and CLARA_SECRET_UNITS
 * (clara-zip-unit stores secret units only when the run encrypts them). CLARA_LOG hands
 * the log flags on to every tool (shared/src/log.ts), with progress as JSON lines for us to draw.
 * CLARA_FLUSH=grouped: the tools skip their fsync per file and per folder, for the one flush
 * clara-backup makes when a domain's tools have finished (durability.ts).
 */
export function domainEnv(base: NodeJS.ProcessEnv, repo: string, p: RunPlace, f: RunFlags, log: LogFlags = {}): NodeJS.ProcessEnv {
  const list: string[] = []
  if (f.only.length) list.push('--only', f.only.join(','))
  if (f.skip.length) list.push('--skip', f.skip.join(','))
  if (f.textTypes) list.push('--text-types', f.textTypes)
  const archive: string[] = ['--workers', String(f.workers), '--existing', f.existing]
  if (f.checksums) archive.push('--checksums')
  if (f.dry) archive.push('--dry-run')
  if (p.prev) archive.push('--link-dest', p.prev)
  return {
    ...base,
    PATH: `${toolBinDir(repo)}:${base.PATH ?? '/usr/bin:/bin'}`,
    CLARA: p.clara,
    DATABASE_URL: p.db,
    DEST: p.runDir,
    BACKUP_RUN_ID: p.runId,
    LINK_DEST: p.prev ?? '',
    CLARA_LIST_ARGS: argLines(list),
    CLARA_ARCHIVE_ARGS: argLines(archive),
    CLARA_DRY_RUN: f.dry ? '1' : '',
    CLARA_SECRET_UNITS: f.encrypt ? 'store' : 'omit',
    CLARA_LOG: claraLogEnv(log, true),
    [FLUSH_ENV]: GROUPED,
  }
}
