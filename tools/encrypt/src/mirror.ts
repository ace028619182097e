/**
 * A plaintext copy of a run for restore: directories (750), symlinks as they are, files hard-linked
 * to the run's (no disk cost, and backups are never written in place) or copied across filesystems.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { isTempName } from '@clara/shared/atomic'
import { walkTree } from '@clara/shared/walk'

/** Hard-link `src` to `dest` (replacing what is there), or copy it when links are impossible. */
export async function linkOrCopy(src: string, dest: string): Promise<'link' | 'copy' | 'same'> {
  const [s, d] = await Promise.all([fsp.lstat(src), fsp.lstat(dest).catch(() => null)])
  if (d && d.dev === s.dev && d.ino === s.ino) return 'same'
  if (d) await fsp.rm(dest, { recursive: true, force: true })
  await fsp.mkdir(path.dirname(dest), { recursive: true, mode: 0o750 })
  try {
    await fsp.link(src, dest)
    return 'link'
  } catch (err) {
    if (!['EXDEV', 'EPERM', 'EMLINK'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err
    await fsp.copyFile(src, dest)
    return 'copy'
  }
}

/** Mirror `runDir` into `outDir`, leaving out run-relative paths for which `skip` is true. */
export async function mirrorRun(runDir: string, outDir: string, skip: (rel: string) => boolean): Promise<void> {
  await fsp.mkdir(outDir, { recursive: true, mode: 0o750 })
  for await (const e of walkTree(runDir)) {
    if (skip(e.rel) || isTempName(path.basename(e.rel))) continue
    const dest = path.join(outDir, e.rel)
    if (e.kind === 'dir') await fsp.mkdir(dest, { recursive: true, mode: 0o750 })
    else if (e.kind === 'file') await linkOrCopy(path.join(runDir, e.rel), dest)
    else if (e.kind === 'symlink') {
      await fsp.rm(dest, { force: true })
      await fsp.symlink(e.target!, dest)
    }
  }
}
