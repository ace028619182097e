/**
 * `--app-dir`: compare the checkout's `clara_app/migrations/NNNN_*.py` with the backup's
 * django_migrations head. Code newer: warn (run `manage.py migrate` after the restore). Code
 * older, or without the backup's head migration: refuse unless `--force`.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { MIGRATIONS_DIR } from './clara-paths.js'

export interface SchemaCheck {
  status: 'same' | 'newer' | 'older' | 'diverged' | 'unknown'
  code: string | null
  backup: string | null
  message: string
}

const num = (name: string) => Number(/^(\d+)_/.exec(name)?.[1] ?? -1)

export async function schemaCheck(appDir: string, backupHead: string | null): Promise<SchemaCheck> {
  const dir = path.join(appDir, MIGRATIONS_DIR)
  const names = (await fsp.readdir(dir).catch(() => [] as string[])).filter((n) => /^\d{4}_\w+\.py$/.test(n)).map((n) => n.slice(0, -3))
  names.sort((a, b) => num(a) - num(b) || (a < b ? -1 : 1))
  const code = names[names.length - 1] ?? null
  const base = { code, backup: backupHead }
  if (!code) return { ...base, status: 'unknown', message: `no migrations found in ${dir}` }
  if (!backupHead) return { ...base, status: 'unknown', message: 'the backup records no django_migrations head' }
  if (code === backupHead) return { ...base, status: 'same', message: `schema matches (${code})` }
  if (names.includes(backupHead)) return { ...base, status: 'newer', message: `the code (${code}) is newer than the backup (${backupHead}): run manage.py migrate after the restore` }
  if (num(code) < num(backupHead)) return { ...base, status: 'older', message: `the code (${code}) is older than the backup (${backupHead}): update the checkout first` }
  return { ...base, status: 'diverged', message: `the code lacks the backup's migration ${backupHead} (newest: ${code}): the schemas have diverged` }
}
