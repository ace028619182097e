/** `--root DIR[:PREFIX]`: a tree to archive and the folder its files get inside the archive. */
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'

export interface RootSpec {
  dir: string
  /** archive folder for this root's files ('' = top level) */
  prefix: string
}

/** Parse `DIR` or `DIR:PREFIX` (split at the last colon; write `DIR:` for a directory whose name has a colon). */
export function parseRootSpec(spec: string, cwd: string): RootSpec {
  const i = spec.lastIndexOf(':')
  const dir = i < 0 ? spec : spec.slice(0, i)
  const prefix = (i < 0 ? '' : spec.slice(i + 1)).replace(/^\/+|\/+$/g, '')
  if (!dir) throw new UsageError(`--root ${spec}: no directory`)
  if (prefix.split('/').some((s) => s === '..' || s === '.')) throw new UsageError(`--root ${spec}: the prefix must be a plain relative path`)
  return { dir: path.resolve(cwd, dir), prefix }
}

/** The archive name of a path below a root. */
export function archiveName(prefix: string, rel: Buffer): Buffer {
  return prefix ? Buffer.concat([Buffer.from(prefix + '/'), rel]) : rel
}
