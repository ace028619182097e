/**
 * What each domain's script composes (scripts/backup_*.sh), as data: the tools, their arguments, the order.
 * clara-backup runs these compositions inside its own process (domain-thread.ts) instead of starting bash
 * and three Node processes per domain; a script run by hand (or by `make backup-<domain>`) still composes
 * the very same tools with pipes. The two are kept equal by a test that runs both and compares what they
 * wrote (test/pipelines.ts): change a script, change its entry here.
 *
 * The scripts' shell semantics are kept: a pipeline's status is its last failing stage's (`set -o
 * pipefail`); the audio domain runs both of its steps and keeps the last failure; the snapshots domain
 * stops at its first failing step (`set -e`).
 */
import { SCRIPT_PATHS } from '@clara/clara-model/script-paths'
import { argsOfLines } from './domain-env.js'
import type { Domain } from './domains.js'

/** One tool of a pipeline: its folder under tools/ and its arguments. */
export interface Stage {
  tool: string
  argv: string[]
}

export interface Composition {
  /** steps run one after the other; each is a pipeline of one or more stages */
  steps: Stage[][]
  /** after a failing step: go on (status: the last failure) or stop (status: that step's) */
  onFailure: 'continue' | 'stop'
}

const paths = (name: string): readonly string[] => SCRIPT_PATHS[name].paths

/** The composition of `d`'s script for the environment clara-backup hands it (domain-env.ts). */
export function composition(d: Domain, env: NodeJS.ProcessEnv): Composition {
  const clara = env.CLARA ?? ''
  const dest = env.DEST ?? ''
  const list = argsOfLines(env.CLARA_LIST_ARGS)
  const archive = argsOfLines(env.CLARA_ARCHIVE_ARGS)
  const dry = env.CLARA_DRY_RUN ? ['--dry-run'] : []
  const one = (...stages: Stage[]): Composition => ({ steps: [stages], onFailure: 'stop' })
  const zipped = (lister: Stage, domain: string, zipArgs: string[] = []): Composition =>
    one(lister, { tool: 'zip-unit', argv: ['--dest', dest, ...archive, ...zipArgs] }, { tool: 'index', argv: ['--dest', dest, '--domain', domain, ...dry] })
  switch (d.name) {
    case 'source':
    case 'compiled':
      return zipped({ tool: 'list-projects', argv: ['--units', d.name, ...list] }, d.dir)
    case 'legacy':
      return zipped({ tool: 'list-legacy', argv: ['--clara', clara, ...(env.LEGACY_ROOT ? ['--legacy-root', env.LEGACY_ROOT] : []), ...list] }, d.dir)
    case 'media':
      return zipped({ tool: 'list-media', argv: ['--clara', clara] }, d.dir)
    case 'db':
      return one({ tool: 'pgdump', argv: ['--dest', dest, '--replace', ...dry] })
    case 'audio':
      return {
        steps: [
          [{ tool: 'pgdump', argv: [...paths('audio-dbs').flatMap((db) => ['--sqlite-files', `${clara}/${db}`]), '--dest', dest, ...dry] }],
          [
            { tool: 'list-audio', argv: [] },
            {
              tool: 'shard',
              argv: ['--dest', dest, '--domain', d.dir, '--prefix', 'tts_audio_part', '--shard-size-mb', env.SHARD_SIZE_MB || '2048',
                '--restore-to', paths('audio-folder')[0], '--report-types', 'audio_missing,audio_unreferenced', ...archive],
            },
          ],
        ],
        onFailure: 'continue',
      }
    case 'infra': {
      const opt: [string, string | undefined][] = [
        ['--env-file', env.CLARA_ENV_FILE], ['--settings', env.CLARA_SETTINGS_FILE], ['--nginx', env.CLARA_NGINX],
        ['--systemd', env.CLARA_SYSTEMD], ['--crontab', env.CLARA_CRONTAB], ['--crontab-user', env.CLARA_CRONTAB_USER],
      ]
      return one({ tool: 'infra', argv: ['--clara', clara, '--dest', dest, ...opt.flatMap(([f, v]) => (v ? [f, v] : [])), ...dry] })
    }
    case 'snapshots': {
      const snapshot = (single: string, name: string): Stage[] => [{
        tool: 'shard',
        argv: ['--dest', dest, '--domain', d.dir, '--single', single, '--restore-to', '.', ...paths(name).flatMap((rel) => ['--root', `${clara}/${rel}:${rel}`]),
          '--exclude', '__pycache__', '--exclude', 'tmp', ...archive],
      }]
      return { steps: [snapshot('full_projects_tree', 'snapshot-projects'), snapshot('full_media_tree', 'snapshot-media')], onFailure: 'stop' }
    }
    default:
      throw new Error(`${d.name}: no composition for this domain`)
  }
}
