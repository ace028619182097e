/**
 * One run at a time: a lock file holding pid, host and start time, kept fresh by a heartbeat. A lock file
 * that another user owns is never trusted (anyone who can write the folder could have planted it): it is
 * taken over like a stale one. privateLockDir makes sure the folder is one only this user can write.
 */
import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ClaraError, EXIT } from './cli.js'

export interface LockInfo {
  pid: number
  host: string
  started: string
  token: string
}

export interface LockOptions {
  /** a lock whose heartbeat is older than this is stale even if its pid looks alive (ms) */
  staleMs?: number
  heartbeatMs?: number
  /** called when a stale lock is taken over */
  onTakeover?: (holder: LockInfo | null, reason: string) => void
  /** ms now (default Date.now): what a heartbeat's age is measured against, and the time a heartbeat writes; tests set it */
  now?: () => number
  /** called after each heartbeat has touched the lock file, with the time it wrote (tests wait on it instead of on the clock) */
  onHeartbeat?: (ms: number) => void
}

export interface Lock {
  file: string
  info: LockInfo
  release(): Promise<void>
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

interface Holder {
  info: LockInfo | null
  mtimeMs: number
  uid: number
}

/** This process's user (effective uid), or null where there is none (Windows). */
const myUid = (): number | null => (typeof process.geteuid === 'function' ? process.geteuid() : null)

async function readHolder(file: string): Promise<Holder | null> {
  try {
    const [text, st] = await Promise.all([fsp.readFile(file, 'utf8'), fsp.stat(file)])
    let info: LockInfo | null = null
    try {
      info = JSON.parse(text)
    } catch {
      info = null
    }
    return { info, mtimeMs: st.mtimeMs, uid: st.uid }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/** Why a holder is stale, or null when it still holds the lock. */
function staleReason(h: Holder, staleMs: number, nowMs: number): string | null {
  const me = myUid()
  if (me !== null && h.uid !== me) return `it is owned by uid ${h.uid}, not by this user (uid ${me}): not trusted`
  if (!h.info || typeof h.info.pid !== 'number') return 'unreadable lock file'
  if (h.info.host === os.hostname() && !alive(h.info.pid)) return `pid ${h.info.pid} is not running`
  if (nowMs - h.mtimeMs > staleMs) return `no heartbeat for ${Math.round((nowMs - h.mtimeMs) / 1000)} s`
  return null
}

/**
 * Take the lock at `file`. A live holder makes this throw a ClaraError with exit 11 naming its
 * pid; a stale one (dead pid on this host, or a heartbeat older than `staleMs`) is taken over.
 */
export async function acquireLock(file: string, opts: LockOptions = {}): Promise<Lock> {
  const staleMs = opts.staleMs ?? 120_000
  const heartbeatMs = opts.heartbeatMs ?? Math.min(10_000, staleMs / 4)
  const now = opts.now ?? Date.now
  const info: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date(now()).toISOString(), token: randomBytes(8).toString('hex') }
  await fsp.mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.${info.token}.tmp`
  await fsp.writeFile(tmp, JSON.stringify(info) + '\n', { mode: 0o644 })
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await fsp.link(tmp, file) // atomic create-if-absent
        return startHeartbeat(file, info, heartbeatMs, now, opts.onHeartbeat)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const holder = await readHolder(file)
      if (!holder) continue
      const reason = staleReason(holder, staleMs, now())
      if (!reason) {
        throw new ClaraError(`locked: ${file} is held by pid ${holder.info?.pid} on ${holder.info?.host} since ${holder.info?.started}`, EXIT.LOCKED, 'ELOCKED')
      }
      // Take over: move the stale file aside (only one taker can), check it was the one we judged.
      const aside = `${file}.stale.${info.token}`
      try {
        await fsp.rename(file, aside)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw err
      }
      const moved = await readHolder(aside)
      if (moved && moved.info?.token !== holder.info?.token) {
        await fsp.link(aside, file).catch(() => {})
        await fsp.unlink(aside).catch(() => {})
        continue
      }
      await fsp.unlink(aside).catch(() => {})
      opts.onTakeover?.(holder.info, reason)
    }
    throw new ClaraError(`locked: could not take ${file}`, EXIT.LOCKED, 'ELOCKED')
  } finally {
    await fsp.unlink(tmp).catch(() => {})
  }
}

function startHeartbeat(file: string, info: LockInfo, everyMs: number, now: () => number, onBeat?: (ms: number) => void): Lock {
  // one touch at a time: on a stalled file system beats do not pile up, and they land in order
  let touching = false
  const timer = setInterval(() => {
    if (touching) return
    touching = true
    const t = new Date(now())
    fsp.utimes(file, t, t).catch(() => {}).then(() => {
      touching = false
      onBeat?.(t.getTime())
    })
  }, everyMs)
  timer.unref()
  return {
    file,
    info,
    async release() {
      clearInterval(timer)
      const cur = await readHolder(file)
      if (cur?.info?.token === info.token) await fsp.unlink(file).catch(() => {})
    },
  }
}

/**
 * The folder of a lock file must be one that only this user can write: a directory (not a symlink) that
 * this user owns, with no write bit for group or others. It is created (mode 700) when missing. Anything
 * else is refused (exit 2), since another user could plant or remove the lock there.
 */
export async function privateLockDir(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 })
  const st = await fsp.lstat(dir)
  const me = myUid()
  const why = !st.isDirectory()
    ? 'it is not a directory'
    : me !== null && st.uid !== me
      ? `it is owned by uid ${st.uid}, not by this user (uid ${me})`
      : st.mode & 0o022
        ? `other users can write it (mode ${(st.mode & 0o7777).toString(8)})`
        : null
  if (why) throw new ClaraError(`lock folder ${dir}: ${why}; a lock there could be planted or removed by another user: choose a folder only this user can write (--lock-file, CLARA_BACKUP_LOCK)`, EXIT.USAGE, 'ELOCKDIR')
}
