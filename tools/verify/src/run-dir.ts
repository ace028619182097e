/** The run to verify: RUN as given (a run directory, or BACKUP_ROOT/latest), resolved, and its manifest. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { ClaraError, EXIT } from '@clara/shared/cli'
import { readJson } from './json-file.js'

export interface Run {
  /** absolute, symlinks resolved */
  dir: string
  /** as given */
  given: string
  /** null when the run has no manifest.json (unfinished, or a piecemeal DEST) */
  manifest: any | null
  manifestProblem?: string
}

/** Resolve RUN; exit 3 when it cannot be read at all. A missing manifest is a finding, not fatal. */
export async function openRun(given: string, cwd: string): Promise<Run> {
  const abs = path.resolve(cwd, given)
  let dir: string
  try {
    dir = await fsp.realpath(abs)
    const st = await fsp.stat(dir)
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
    await fsp.readdir(dir)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'ENOENT' ? 'no such run directory' : e.code === 'ENOTDIR' ? 'not a directory' : e.code ?? e.message
    throw new ClaraError(`${given}: cannot read the run (${why})`, EXIT.FATAL, e.code ?? 'ERUN')
  }
  const m = await readJson(path.join(dir, 'manifest.json'))
  if (m.ok) {
    if (!m.doc || typeof m.doc !== 'object' || Array.isArray(m.doc)) throw new ClaraError(`${given}: manifest.json is not an object`, EXIT.FATAL, 'EMANIFEST')
    return { dir, given, manifest: m.doc }
  }
  if (!m.missing) throw new ClaraError(`${given}: cannot read the run: manifest.json ${m.message}`, EXIT.FATAL, 'EMANIFEST')
  return { dir, given, manifest: null, manifestProblem: 'no manifest.json: the run did not finish' }
}
