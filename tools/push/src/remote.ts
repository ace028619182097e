/** Where runs are pushed: `[user@]host:/path` over SSH, or a local directory (a mounted disk). */
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'

export type Remote = { kind: 'ssh'; host: string; path: string } | { kind: 'local'; path: string }

/** Parse a REMOTE spec; rsync-daemon forms (`host::module`, `rsync://`) are refused. */
export function parseRemote(spec: string, cwd: string): Remote {
  if (!spec.trim()) throw new UsageError('--remote is empty')
  if (spec.startsWith('rsync://') || /^[^/]*::/.test(spec)) throw new UsageError(`--remote ${spec}: rsync daemons are not supported; use [user@]host:/path (SSH)`)
  // rsync's own rule: a colon before any slash makes it a remote host
  const m = /^([^/:]+):(.*)$/.exec(spec)
  if (!m) return { kind: 'local', path: path.resolve(cwd, spec) }
  const [, host, p] = m
  if (!p) throw new UsageError(`--remote ${spec}: give the directory after the colon (host:/srv/clara_offsite)`)
  if (host.startsWith('-')) throw new UsageError(`--remote ${spec}: a host cannot start with "-"`)
  return { kind: 'ssh', host, path: p }
}

/** The rsync destination for the backup root's contents (a trailing slash: "into this directory"). */
export function rsyncDest(r: Remote): string {
  const p = r.path.endsWith('/') ? r.path : r.path + '/'
  return r.kind === 'ssh' ? `${r.host}:${p}` : p
}

/** How the remote is named in records and logs. */
export function remoteLabel(r: Remote): string {
  return r.kind === 'ssh' ? `${r.host}:${r.path}` : r.path
}
