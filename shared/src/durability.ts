/**
 * When the tools make their writes durable: the one switch every fsync site asks.
 *
 * By default (a tool or a `scripts/backup_*.sh` run by hand) every artifact is fsynced on its own and so is
 * the folder it was renamed into. With `CLARA_FLUSH=grouped` in the environment, which clara-backup sets for
 * the domains it runs, those per-file and per-folder fsyncs are skipped: a temp file is still written whole
 * and only then renamed (a killed process leaves nothing partial under a final name: the page cache holds the
 * whole file), and durability comes from the one flush of the file system clara-backup makes when the
 * domain's tools have finished (shared/src/sync-fs.ts; tools/backup/src/durability.ts says the rules).
 * Grouped mode is only safe under such a flush: nothing else may set it. Worker threads inherit the
 * environment, so they follow their process.
 */
import { promises as fsp, constants as FS, readFileSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'

export const FLUSH_ENV = 'CLARA_FLUSH'
export const GROUPED = 'grouped'

/** Whether per-file fsyncs are left to a grouped flush (`CLARA_FLUSH=grouped`). */
export function flushGrouped(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[FLUSH_ENV] === GROUPED
}

/** The environment without the switch: for a tool whose writes must be durable on their own. */
export function perFileEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [FLUSH_ENV]: _, ...rest } = env
  return rest
}

/** fsync a directory so a rename inside it survives a crash (always: for writes that are not grouped). */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, FS.O_RDONLY)
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** fsync an open file, unless grouped. */
export async function syncFile(fh: FileHandle, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!flushGrouped(env)) await fh.sync()
}

/** fsync a folder after a rename, link or unlink in it, unless grouped. */
export async function syncDir(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!flushGrouped(env)) await fsyncDir(dir)
}

/** Where Linux says which boot this is: a write not yet flushed is lost with the boot it was made in. */
export const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id'

/** This boot's id, from `file` (default the kernel's; tests name another); null when it cannot be read. */
export function bootId(file: string = BOOT_ID_FILE): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null
  } catch {
    return null
  }
}
