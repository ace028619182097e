/** Read configuration inputs named by paths or basename globs; a missing input is a value, not a throw. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { globToRegExp } from '@clara/shared/walk'

export type Kind = 'env-file' | 'settings' | 'nginx' | 'systemd' | 'crontab'

export interface Captured {
  kind: Kind
  /** absolute path, or the command that produced the text */
  source: string
  text: string
  /** other paths that resolved to the same file (e.g. a sites-enabled link) */
  aliases?: string[]
}

export interface Missing {
  kind: Kind
  source: string
  reason: string
}

export interface Failure {
  kind: Kind
  source: string
  message: string
  code?: string
}

export interface CaptureSet {
  captured: Captured[]
  missing: Missing[]
  failed: Failure[]
}

/** Config files are small; anything bigger is not what we think it is. */
const MAX_BYTES = 4 * 1024 * 1024

export function emptySet(): CaptureSet {
  return { captured: [], missing: [], failed: [] }
}

const isGlob = (p: string) => /[*?]/.test(path.basename(p))

/** Expand one pattern: a file, every file in a directory, or a basename glob. */
async function expand(pattern: string): Promise<string[]> {
  if (isGlob(pattern)) {
    const dir = path.dirname(pattern)
    const re = globToRegExp(path.basename(pattern))
    const names = await fsp.readdir(dir).catch(() => [] as string[])
    return names.filter((n) => re.test(n)).sort().map((n) => path.join(dir, n))
  }
  const st = await fsp.stat(pattern).catch(() => null)
  if (st?.isDirectory()) return (await fsp.readdir(pattern)).sort().map((n) => path.join(pattern, n))
  return [pattern]
}

async function readOne(kind: Kind, file: string, set: CaptureSet, seen: Map<string, Captured>, explicit: boolean): Promise<void> {
  try {
    const st = await fsp.stat(file)
    if (!st.isFile()) {
      if (explicit) set.failed.push({ kind, source: file, message: 'not a regular file', code: 'ENOTFILE' })
      return
    }
    const real = await fsp.realpath(file)
    const prior = seen.get(real)
    if (prior) {
      prior.aliases = [...(prior.aliases ?? []), file]
      return
    }
    if (st.size > MAX_BYTES) throw Object.assign(new Error(`larger than ${MAX_BYTES} bytes`), { code: 'EFBIG' })
    const c: Captured = { kind, source: file, text: await fsp.readFile(file, 'utf8') }
    seen.set(real, c)
    set.captured.push(c)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'ENOENT') set.missing.push({ kind, source: file, reason: 'not found' })
    else set.failed.push({ kind, source: file, message: e.message.replace(/^[A-Z]+: /, ''), code: e.code })
  }
}

/**
 * Read every file the patterns name. A plain path that does not exist is recorded missing; globs
 * that match nothing are recorded (once each) only when the whole kind found nothing.
 */
export async function captureFiles(kind: Kind, patterns: string[], set: CaptureSet): Promise<void> {
  const before = set.captured.length
  const unmatched: string[] = []
  const seen = new Map<string, Captured>()
  for (const pattern of patterns) {
    const files = await expand(pattern)
    if (isGlob(pattern) && files.length === 0) unmatched.push(pattern)
    for (const f of files) await readOne(kind, f, set, seen, f === pattern)
  }
  if (set.captured.length === before) for (const p of unmatched) set.missing.push({ kind, source: p, reason: 'no file matches' })
}
