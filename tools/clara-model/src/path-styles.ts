/**
 * The four styles a stored C-LARA path comes in (clara-facts §8.1, §8.9): POSIX absolute
 * (`/home/…/C-LARA/…`), Windows (`C:/cygwin64/…` or `C:\…`), the literal `$CLARA/…` that import
 * writes, and relative S3 keys that start with a data folder (`audio/tts_repository_orm/…`).
 */
import { firstDataFolder } from './data-folders.js'

export type PathStyle = 'posix' | 'windows_slash' | 'windows_backslash' | 'clara_var' | 's3_key'

/** The literal `$CLARA` (or `${CLARA}`) a path starts with. */
export const CLARA_VAR = /^\$(?:CLARA|\{CLARA\})(?=[\\/]|$)/
const WINDOWS = /^[A-Za-z]:[\\/]/

/** Whether a path starts with a Windows drive (`C:/`, `C:\`). */
export function isWindowsPath(p: string): boolean {
  return WINDOWS.test(p)
}

/** Which of the four styles a value is written in (null: relative and not a C-LARA key). */
export function styleOf(v: string): PathStyle | null {
  if (CLARA_VAR.test(v)) return 'clara_var'
  if (WINDOWS.test(v)) return v[2] === '/' ? 'windows_slash' : 'windows_backslash'
  if (v.startsWith('/')) return 'posix'
  return firstDataFolder(v.replace(/\\/g, '/'))?.at === 0 ? 's3_key' : null
}
