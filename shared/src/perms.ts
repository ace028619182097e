/**
 * Backup permissions (design §9): directories 750, files 640, one backup group. Generic: it knows
 * nothing of C-LARA, only modes and groups. Symlinks are never followed (nor chmod-ed).
 */
import fs, { promises as fsp } from 'node:fs'
import path from 'node:path'

/** The umask a backup process sets for itself, so anything it creates is at most 750/640. */
export const BACKUP_UMASK = 0o027
export const BACKUP_DIR_MODE = 0o750
export const BACKUP_FILE_MODE = 0o640
/** The default backup group; configurable everywhere it is used. */
export const BACKUP_GROUP = 'clara-backup'

export interface PermsOptions {
  /** group name or numeric gid; when it does not exist, nothing is chgrp-ed (see `group_applied`) */
  group?: string | number
  dirMode?: number
  fileMode?: number
  /** where to look names up (tests) */
  groupFile?: string
}

export interface PermsResult {
  dirs: number
  files: number
  /** the gid set, or null when no group was asked for or the group does not exist */
  gid: number | null
  /** a note when the group was asked for but not applied */
  note?: string
}

/** Look a group up in /etc/group: a number is taken as a gid, a name is resolved, or null. */
export async function resolveGroup(group: string | number, groupFile = '/etc/group'): Promise<number | null> {
  if (typeof group === 'number') return group
  if (/^\d+$/.test(group)) return Number(group)
  const text = await fsp.readFile(groupFile, 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':')
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid)
  }
  return null
}

/**
 * chmod every directory under (and including) `root` to 750 and every regular file to 640, and
 * chgrp both to the backup group when it exists. Hard-linked files share one inode, so they get
 * the same mode in every run, which is what we want. Symlinks and special files are left alone.
 * Entries already right are only stat-ed (most of a run is hard links to the previous one), and the
 * calls are synchronous: a few µs each instead of a thread-pool round trip.
 */
export async function applyBackupPerms(root: string, opts: PermsOptions = {}): Promise<PermsResult> {
  const dirMode = opts.dirMode ?? BACKUP_DIR_MODE
  const fileMode = opts.fileMode ?? BACKUP_FILE_MODE
  const res: PermsResult = { dirs: 0, files: 0, gid: null }
  if (opts.group !== undefined && opts.group !== '') {
    res.gid = await resolveGroup(opts.group, opts.groupFile)
    if (res.gid === null) res.note = `group ${opts.group} does not exist: modes set, group left as it was`
  }
  const visit = (p: string): void => {
    const st = fs.lstatSync(p)
    if (st.isSymbolicLink()) return
    if (st.isDirectory()) {
      fixOne(p, st, dirMode, res.gid)
      res.dirs++
      for (const name of fs.readdirSync(p)) visit(path.join(p, name))
    } else if (st.isFile()) {
      fixOne(p, st, fileMode, res.gid)
      res.files++
    }
  }
  visit(root)
  return res
}

function fixOne(p: string, st: fs.Stats, mode: number, gid: number | null): void {
  // p was lstat-ed as a non-symlink just before; lchown keeps the chgrp on the entry itself.
  if (gid !== null && st.gid !== gid) fs.lchownSync(p, st.uid, gid)
  if ((st.mode & 0o7777) !== mode) fs.chmodSync(p, mode)
}
