/** Stray temp files (`.<name>.<pid>.<rand>.tmp`) anywhere in a run: left by a killed writer. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { isTempName } from '@clara/shared/atomic'

/** Run-relative POSIX paths of every temp file or folder in the run. */
export async function findTemps(runDir: string, rel = ''): Promise<string[]> {
  const out: string[] = []
  const entries = await fsp.readdir(path.join(runDir, rel), { withFileTypes: true }).catch(() => [])
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name
    if (isTempName(e.name)) out.push(r)
    else if (e.isDirectory()) out.push(...(await findTemps(runDir, r)))
  }
  return out
}
