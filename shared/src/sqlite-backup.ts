/**
 * Copy a live SQLite database with SQLite's online backup API (never `cp`: pages still in the
 * `-wal` file would be lost), check the copy, and put it in place atomically.
 */
import { promises as fsp, constants as FS } from 'node:fs'
import path from 'node:path'
import { tempNameFor } from './atomic.js'
import { flushGrouped, syncDir, syncFile } from './durability.js'
import { hashFile } from './hash.js'

export interface SqliteBackupResult {
  path: string
  size_bytes: number
  sha256: string
  integrity: 'ok'
  /** pages copied */
  pages: number
}

export interface SqliteBackupOptions {
  /** final file mode (default 0640, as every artifact) */
  mode?: number
}

/** The copy failed `PRAGMA integrity_check`. */
export class IntegrityError extends Error {
  code = 'EINTEGRITY'
}

const SIDECARS = ['-wal', '-shm', '-journal']

async function removeWithSidecars(file: string): Promise<void> {
  await Promise.all([file, ...SIDECARS.map((s) => file + s)].map((f) => fsp.rm(f, { force: true })))
}

/** Run `PRAGMA integrity_check` on a file and turn it into a standalone rollback-journal database. */
async function checkCopy(file: string): Promise<void> {
  const { default: Database } = await import('better-sqlite3')
  const db = new Database(file, { fileMustExist: true })
  try {
    // grouped (durability.ts): SQLite's own fsyncs of the temp copy are left to the grouped flush too
    if (flushGrouped()) db.pragma('synchronous = OFF')
    // The copy carries the source's WAL flag; a standalone artifact must not need -wal/-shm files.
    db.pragma('journal_mode = DELETE')
    const rows = db.pragma('integrity_check') as { integrity_check: string }[]
    const msgs = rows.map((r) => r.integrity_check)
    if (msgs.length !== 1 || msgs[0] !== 'ok') throw new IntegrityError(`integrity_check failed: ${msgs.slice(0, 3).join('; ')}`)
  } finally {
    db.close()
  }
}

async function fsyncFile(file: string, mode: number): Promise<void> {
  const fh = await fsp.open(file, FS.O_RDONLY)
  try {
    await fh.chmod(mode)
    await syncFile(fh)
  } finally {
    await fh.close()
  }
}

/**
 * Back up `srcFile` (opened read-only) into `destFile`: online backup into a temp name in the
 * destination directory, integrity_check, fsync, rename, fsync the directory (under CLARA_FLUSH=grouped
 * the last two fsyncs are left to the grouped flush, see durability.ts; SQLite's backup step still
 * fsyncs the copy it writes). On any failure nothing is left under `destFile` and the temp file is removed.
 */
export async function backupSqlite(srcFile: string, destFile: string, opts: SqliteBackupOptions = {}): Promise<SqliteBackupResult> {
  const { default: Database } = await import('better-sqlite3')
  const src = new Database(srcFile, { readonly: true, fileMustExist: true })
  await fsp.mkdir(path.dirname(destFile), { recursive: true })
  const tmp = tempNameFor(destFile)
  try {
    let pages = 0
    try {
      // Copy every page in one step: one read transaction, so a writer cannot force restarts,
      // and the copy is a consistent snapshot (in WAL mode the writer is not blocked).
      const res = await src.backup(tmp, {
        progress: ({ totalPages }) => {
          pages = totalPages
          return 0x7fffffff
        },
      })
      pages = res.totalPages
    } finally {
      src.close()
    }
    await checkCopy(tmp)
    await Promise.all(SIDECARS.map((s) => fsp.rm(tmp + s, { force: true })))
    await fsyncFile(tmp, opts.mode ?? 0o640)
    const { sha256, bytes } = await hashFile(tmp)
    await fsp.rename(tmp, destFile)
    await syncDir(path.dirname(destFile))
    return { path: destFile, size_bytes: bytes, sha256, integrity: 'ok', pages }
  } catch (err) {
    await removeWithSidecars(tmp)
    throw err
  }
}
