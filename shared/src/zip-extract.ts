/** Extract zip members to disk with their modes and mtimes, refusing names that leave the target. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { memberPath } from './member-check.js'
import type { ZipEntry, ZipReader } from './zip-reader.js'

/**
 * The member's path below `root` as raw bytes, or null when the name is unsafe by the shared
 * member checks (member-check.ts): absolute, a `..` segment, a drive letter, a backslash, or a NUL
 * byte (zip-slip). `.` and empty components are dropped.
 */
export function safeMemberPath(root: string, nameBytes: Buffer): Buffer | null {
  const n = memberPath(nameBytes)
  if ('unsafe' in n || !n.key) return null
  return Buffer.concat([Buffer.from(path.resolve(root) + '/'), Buffer.from(n.key, 'latin1')])
}

/**
 * Write one member at `target` (raw bytes path): a file (mode, mtime), a directory, or a
 * symlink with its stored target. Parent directories are created. Existing files are replaced.
 */
export async function extractEntry(zip: ZipReader, e: ZipEntry, target: Buffer): Promise<void> {
  const parent = Buffer.from(path.dirname(target.toString('latin1')), 'latin1')
  await fsp.mkdir(parent, { recursive: true })
  if (e.kind === 'dir') {
    await fsp.mkdir(target, { recursive: true, mode: e.mode || 0o755 })
    await fsp.chmod(target, e.mode || 0o755)
  } else if (e.kind === 'symlink') {
    await fsp.rm(target, { force: true })
    await fsp.symlink(await zip.symlinkTarget(e), target)
    await fsp.lutimes(target, e.mtime, e.mtime)
    return
  } else {
    await fsp.rm(target, { force: true })
    const fh = await fsp.open(target, 'wx', e.mode || 0o644)
    try {
      for await (const c of zip.chunks(e)) await fh.write(c)
      await fh.chmod(e.mode || 0o644)
    } finally {
      await fh.close()
    }
  }
  await fsp.utimes(target, e.mtime, e.mtime)
}
