/**
 * Crash-safe removal of a run directory: rename it to `.deleting-<id>` (atomic), fsync the root,
 * then remove the tree. A crash leaves either the whole run under its id or a `.deleting-` leftover
 * that the next prune finishes; never half a run under its final name. Removing a tree only
 * unlinks names, so files hard-linked into other runs stay intact there.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { fsyncDir } from '@clara/shared/atomic'
import { DELETING_PREFIX } from '@clara/shared/run-set'

/** Rename `<root>/<id>` aside, then remove it. */
export async function removeRun(root: string, id: string): Promise<void> {
  const aside = path.join(root, DELETING_PREFIX + id)
  await fsp.rename(path.join(root, id), aside)
  await fsyncDir(root)
  await removeLeftover(root, DELETING_PREFIX + id)
}

/** Finish removing a `.deleting-<id>` directory. */
export async function removeLeftover(root: string, name: string): Promise<void> {
  if (!name.startsWith(DELETING_PREFIX)) throw new Error(`${name}: not a ${DELETING_PREFIX} directory`)
  await fsp.rm(path.join(root, name), { recursive: true, force: true, maxRetries: 2 })
  await fsyncDir(root)
}
