/**
 * Where legacy LARA content lives (clara-facts §6): `$CLARA/LARA_legacy` (the Makefile's spelling),
 * or `$CLARA/lara_legacy` (the plan's), or `--legacy-root`.
 */
import { lstatSync, statSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'
import { LEGACY_FOLDERS } from '@clara/clara-model/data-folders'

export const LEGACY_DIRS = LEGACY_FOLDERS

export interface LegacyRoot {
  /** absolute path */
  dir: string
  /** where units go back to on restore, relative to the install (`LARA_legacy` unless the root is elsewhere inside it) */
  restoreBase: string
}

function isDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory()
  } catch {
    return false
  }
}

/** `--clara`, else `$CLARA` (only needed when no --legacy-root is given). */
export function resolveClara(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const raw = flag ?? env.CLARA
  if (!raw) return undefined
  const dir = path.resolve(cwd, raw)
  let ok = false
  try {
    ok = statSync(dir).isDirectory()
  } catch {
    ok = false
  }
  if (!ok) throw new UsageError(`C-LARA directory not found: ${dir}`)
  return dir
}

/** The legacy roots to list: the flag's, or every spelling that exists in the install. */
export function legacyRoots(clara: string | undefined, flag: string | undefined, cwd: string): LegacyRoot[] {
  if (flag) {
    const dir = path.resolve(cwd, flag)
    if (!isDir(dir)) throw new UsageError(`legacy root not found: ${dir}`)
    const rel = clara ? path.relative(clara, dir) : ''
    const inside = clara && rel && !rel.startsWith('..') && !path.isAbsolute(rel)
    return [{ dir, restoreBase: inside ? rel.split(path.sep).join('/') : LEGACY_DIRS[0] }]
  }
  if (!clara) throw new UsageError('no legacy root: pass --clara DIR (or set CLARA) or --legacy-root DIR')
  // on a case-insensitive file system both spellings are the same directory: list it once
  const seen = new Set<string>()
  return LEGACY_DIRS.map((d) => ({ dir: path.join(clara, d), restoreBase: d })).filter((r) => {
    if (!isDir(r.dir)) return false
    const st = lstatSync(r.dir)
    const key = `${st.dev}:${st.ino}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
