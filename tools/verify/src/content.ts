/** Checks that need C-LARA knowledge: project counts, the database, DB↔file references, audio DBs, infra secrets. */
import type { Logger } from '@clara/shared/log'
import type { DomainScan } from './domain-scan.js'
import type { Options } from './options.js'
import type { Run } from './run-dir.js'
import type { Verdicts } from './verdicts.js'

export interface ContentCtx {
  run: Run
  scans: DomainScan[]
  v: Verdicts
  log: Logger
  opts: Options
  env: NodeJS.ProcessEnv
  cwd: string
}

export async function checkContent(_c: ContentCtx): Promise<void> {}
