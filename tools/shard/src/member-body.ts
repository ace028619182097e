/**
 * The bytes of one archive member, read with the shared odd-file rules (@clara/shared/source-file):
 * specials are skipped, symlinks recorded, vanished or unreadable files are errors, and a file that
 * changes while read is re-examined and read again a few times before it becomes an error.
 */
import { statEntry } from '@clara/shared/walk'
import { readLinkSync, readSourceChunksSync, readSourceSync, skipMessage, sourceAction, type FaultHook } from '@clara/shared/source-file'
import type { Member } from './member.js'

export type Body =
  | { kind: 'skip'; message: string }
  | { kind: 'dir' }
  | { kind: 'symlink'; target: string }
  | { kind: 'buffer'; buf: Buffer }
  /** a large file: its first chunk (already read, so the file is open and checked) and the rest */
  | { kind: 'chunks'; first: Buffer; rest: Generator<Buffer> }

export interface BodyOptions {
  fault?: FaultHook
  /** files up to this size are read whole (default 1 MiB) */
  smallBytes?: number
  /** chunk size for larger files (default 1 MiB) */
  chunkBytes?: number
  /** how often a file that keeps changing is re-read (default 3) */
  attempts?: number
}

const MiB = 1 << 20

/** Read a member's body. Throws (with a `code`) when it cannot be archived; updates `m.entry` after a re-stat. */
export async function memberBody(m: Member, opts: BodyOptions = {}): Promise<Body> {
  const attempts = opts.attempts ?? 3
  for (let i = 1; ; i++) {
    try {
      return readOnce(m, opts)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECHANGED' || i >= attempts) throw err
      m.entry = await restat(m)
    }
  }
}

function readOnce(m: Member, opts: BodyOptions): Body {
  const e = m.entry
  switch (sourceAction(e)) {
    case 'skip':
      return { kind: 'skip', message: skipMessage(e) }
    case 'dir':
      return { kind: 'dir' }
    case 'symlink':
      return { kind: 'symlink', target: readLinkSync(e, { fault: opts.fault }).toString('utf8') }
    default:
      break
  }
  if (e.size <= (opts.smallBytes ?? MiB)) return { kind: 'buffer', buf: readSourceSync(e, { fault: opts.fault }) }
  const rest = readSourceChunksSync(e, opts.chunkBytes ?? MiB, { fault: opts.fault })
  const first = rest.next()
  // size > 0 here, so a first chunk exists unless the file shrank (which the generator reports by throwing)
  return { kind: 'chunks', first: first.done ? Buffer.alloc(0) : Buffer.from(first.value), rest }
}

/** Look at the file again (it changed under us). */
export async function restat(m: Member): Promise<typeof m.entry> {
  try {
    return await statEntry(m.entry.abs, m.entry.relBytes)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'ENOENT' ? 'vanished' : 'cannot be read'
    throw Object.assign(new Error(`${m.entry.rel}: ${why} (${e.code ?? e.message})`), { code: e.code ?? 'EIO' })
  }
}
