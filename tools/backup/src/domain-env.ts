/** The environment a domain script runs with: where to read, where to write, and the propagated flags. */
import path from 'node:path'
import { claraLogEnv, type LogFlags } from '@clara/shared/log'

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

/**
 * Scripts read CLARA, DATABASE_URL and DEST, plus CLARA_LIST_ARGS (for the listers),
 * CLARA_ARCHIVE_ARGS (for clara-zip-unit and clara-shard), CLARA_DRY_RUN and CLARA_SECRET_UNITS
 * (clara-zip-unit stores secret units only when the run encrypts them). CLARA_LOG hands
 * the log flags on to every tool (shared/src/log.ts), with progress as JSON lines for us to draw.
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
    PATH: `${path.join(repo, 'node_modules/.bin')}:${base.PATH ?? '/usr/bin:/bin'}`,
    CLARA: p.clara,
    DATABASE_URL: p.db,
    DEST: p.runDir,
    BACKUP_RUN_ID: p.runId,
    LINK_DEST: p.prev ?? '',
    CLARA_LIST_ARGS: list.join(' '),
    CLARA_ARCHIVE_ARGS: archive.join(' '),
    CLARA_DRY_RUN: f.dry ? '1' : '',
    CLARA_SECRET_UNITS: f.encrypt ? 'store' : 'omit',
    CLARA_LOG: claraLogEnv(log, true),
  }
}
