/** What every engine's dump step gets, and the one way it reports a failed dump. */
import { ClaraError, EXIT } from '@clara/shared/cli'
import type { Logger } from '@clara/shared/log'

export interface DumpContext {
  /** the database URL as given (may hold a password: never print it) */
  url: string
  /** the final path of the dump file */
  file: string
  env: NodeJS.ProcessEnv
  cwd: string
  signal?: AbortSignal
  /** where pg_dump, pg_restore, mysqldump live (default: PATH) */
  binDir?: string
  /** hidden, for tests: pretend the PostgreSQL server has this version */
  assumeServerVersion?: string
  secrets: string[]
  log: Logger
}

/**
 * The dump itself failed (the tool died, the dump does not list, the copy is corrupt). Nothing
 * was kept; main turns this into an `error` record and exit 1. Connection and version problems
 * are plain `ClaraError`s instead: one line, exit 3.
 */
export class DumpFailed extends ClaraError {
  constructor(message: string, code = 'EDUMP') {
    super(message, EXIT.PARTIAL, code)
    this.name = 'DumpFailed'
  }
}
