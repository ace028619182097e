/**
 * An artifact of a run is read only when it is a regular file inside the run: its run-relative
 * path neither absolute nor climbing with `..`, and its real path (links resolved: the run itself
 * may be reached through `latest`) inside the run's real path. A FIFO, a device, or a link to one
 * or to anything outside the run is refused before it is opened (opening a FIFO would block).
 */
import fs, { promises as fsp } from 'node:fs'
import path from 'node:path'
import { ClaraError, EXIT } from './cli.js'

export class ArtifactError extends ClaraError {}

const refuse = (rel: string, why: string) => new ArtifactError(`${rel}: ${why}: not read`, EXIT.PARTIAL, 'EARTIFACT')

/** The absolute path of the run's artifact `rel` once it is known to be a regular file inside `run`. Throws ArtifactError. */
export function artifactFile(run: string, rel: string): string {
  if (typeof rel !== 'string' || !rel || rel.includes('\0')) throw refuse(String(rel), 'not a path')
  if (path.posix.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) throw refuse(rel, 'the path leaves the run')
  const abs = path.join(run, rel)
  let real: string
  let top: string
  try {
    top = fs.realpathSync(run)
    real = fs.realpathSync(abs)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw refuse(rel, code === 'ENOENT' ? 'missing' : code === 'ELOOP' ? 'a symlink loop' : `cannot be resolved (${code})`)
  }
  if (real !== top && !real.startsWith(top + path.sep)) throw refuse(rel, `a link out of the run (to ${real})`)
  const st = fs.statSync(real)
  if (!st.isFile()) throw refuse(rel, `not a regular file (${kind(st)})`)
  return real
}

function kind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isDirectory()) return 'a folder'
  if (st.isSocket()) return 'a socket'
  return 'not a file'
}

/**
 * A run document's bytes, read only when it is a regular file: opened without blocking (a FIFO in
 * its place would hang an ordinary open) and checked with fstat before anything is read (a device
 * such as /dev/zero would never end). Throws a ClaraError with code `ENOTREG` otherwise, ENOENT when absent.
 */
export async function readRegular(file: string | Buffer): Promise<Buffer> {
  const fh = await fsp.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY)
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new ClaraError(`${file.toString()}: not a regular file (${kind(st)}): not read`, EXIT.FATAL, 'ENOTREG')
    return await fh.readFile()
  } finally {
    await fh.close()
  }
}
