/**
 * A domain whose units failed because the backup filesystem was full did not complete, whatever its tools'
 * exit: the units after it would have failed the same way, and space that a failed unit's temp file gave back
 * can let a later index write succeed and make the run look merely "partial". Such a run is incomplete (exit 3,
 * `latest` not switched) until space is freed and it is finished with --resume.
 */
import { ClaraError, EXIT } from '@clara/shared/cli'
import type { ClaraRecord } from '@clara/shared/records'

const CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL'])

/** An error record or a failures.json entry that says the disk was full. */
export function outOfSpace(rec: ClaraRecord | { code?: unknown; message?: unknown }): boolean {
  const r = rec as { type?: string; code?: unknown; message?: unknown }
  return (r.type === undefined || r.type === 'error') &&
    (CODES.has(String(r.code)) || /\bENOSPC\b|no space left on device|disk quota exceeded|database or disk is full/i.test(String(r.message ?? '')))
}

/**
 * A full disk met by clara-backup's own writes (its ledger, a failures.json, the manifest) rather than by a
 * domain's tools: the same one line a full domain gets, and exit 3, instead of the bare system error.
 */
export function fullDiskError(err: unknown, runId: string): unknown {
  const e = err as NodeJS.ErrnoException
  if (!(e instanceof Error) || !outOfSpace({ code: e.code, message: e.message })) return err
  return new ClaraError(`the backup filesystem is full (${e.message}): free space, then finish the run with --resume ${runId}`, EXIT.FATAL, e.code ?? 'ENOSPC')
}
