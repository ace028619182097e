/** Test helper (not a test): trees with odd names and mtimes, extraction with the real tar, tree comparison. */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { collectRecords } from '@clara/shared/ndjson'
import { walkTree } from '@clara/shared/walk'

/** Seeded bytes: random-looking (mp3-like) or text-like. */
export function bytes(seed: number, size: number, text = false): Buffer {
  const out = Buffer.alloc(size)
  let x = (Math.imul(seed + 1, 2654435761) ^ 0x9e3779b9) >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = text ? 97 + (x % 7) + (i % 50 === 49 ? -87 : 0) : x >>> 24
  }
  return out
}

/** Write a file with a given mtime (seconds since the epoch, fractions allowed). */
export function put(root: string, rel: string, data: Buffer | string, mtime: number): string {
  const p = path.join(root, rel)
  fs.mkdirSync(path.dirname(p), { recursive: true })
  fs.writeFileSync(p, data)
  fs.utimesSync(p, mtime, mtime)
  return p
}

/** The tree an audio cache looks like: names with spaces and non-ASCII, a long path, a big file, a symlink. */
export function oddTree(root: string): void {
  const t = 1_700_000_000.25
  put(root, 'google/en-GB/en-GB-News-J/en-GB-News-J_20240805_033226_a.mp3', bytes(1, 40_000), t)
  put(root, 'google/en-GB/en-GB-News-J/orphan_no_row.mp3', bytes(2, 3_000), t + 10.7)
  put(root, 'human_voice/old norse/mannyrayner/take one.mp3', bytes(3, 20_000), t + 20)
  put(root, 'human_voice/māori/kaikōrero/ōrite_ça.mp3', bytes(4, 9_000), t + 30)
  put(root, `openai/french/alloy/${'long_'.repeat(30)}name.mp3`, bytes(5, 5_000), t + 40)
  put(root, 'openai/french/alloy/big.mp3', bytes(6, 2_600_000), t + 50)
  put(root, 'openai/french/alloy/empty.mp3', Buffer.alloc(0), t + 60)
  fs.symlinkSync('../alloy/empty.mp3', path.join(root, 'openai/french/alloy/link.mp3'))
}

export interface Entry {
  kind: string
  size: number
  mtime_s: number
  sha256?: string
  target?: string
}

/** path → what a restore must reproduce (content, mtime to the second, link target). Specials are left out. */
export async function treeOf(root: string, opts: { dirs?: boolean } = {}): Promise<Record<string, Entry>> {
  const out: Record<string, Entry> = {}
  for await (const e of walkTree(root)) {
    if (e.kind === 'special' || (e.kind === 'dir' && !opts.dirs)) continue
    const ent: Entry = { kind: e.kind, size: e.size, mtime_s: Math.floor(e.mtimeMs / 1000) }
    if (e.kind === 'file') ent.sha256 = createHash('sha256').update(fs.readFileSync(e.abs)).digest('hex')
    if (e.kind === 'symlink') {
      ent.target = e.target
      delete (ent as Partial<Entry>).mtime_s
    }
    out[e.rel] = ent
  }
  return out
}

/** Unpack archives with the real GNU tar. */
export function untar(archives: string[], into: string): void {
  fs.mkdirSync(into, { recursive: true })
  for (const a of archives) execFileSync('tar', ['-xf', a, '-C', into])
}

/** Read a `.members.ndjson` listing (checks its end record). */
export async function readMembers(file: string): Promise<Record<string, unknown>[]> {
  return (await collectRecords(fs.createReadStream(file), { source: file })) as Record<string, unknown>[]
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

export function readJson<T = Record<string, any>>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T
}

/**
 * A scratch directory on tmpfs when there is one (/dev/shm): these tests write dozens of small
 * archives, each fsync'ed twice, which takes seconds on a busy disk and nothing on tmpfs.
 */
export function scratch(t: { teardown(f: () => void): void }): string {
  const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir()
  const dir = fs.mkdtempSync(path.join(base, 'clara-shard-test-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}
