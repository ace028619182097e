/**
 * Test helper (not a test) for the round trips: a fixture install at a short path, a real backup
 * with the clara-backup bin, and the equivalence checks (tables, trees, compiled media, old roots)
 * written independently of the code under test (their own path oracle).
 */
import { promises as fsp, mkdtempSync, rmSync } from 'node:fs'
import type { Test } from 'tap'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { repoRoot } from '@clara/shared/testkit'
import { childEnv, HANG_MS, spawnTool, type SpawnResult } from '@clara/shared/testkit-spawn'
import { walkTree, type TreeEntry } from '@clara/shared/walk'

export const REPO = repoRoot()
export const OLD_HOST = '/home/stm-admmxr/C-LARA'
export const WINDOWS_ROOTS = ['C:/cygwin64/home/github/c-lara', 'C:/cygwin64/home/sf/c-lara-svn']
export const PATH_COLS = [
  ['orm_audio_metadata', 'file_path'],
  ['orm_image_metadata', 'file_path'],
  ['clara_app_archivedimagemetadata', 'file_path'],
  ['orm_image_gloss_metadata', 'file_path'],
] as const
export const DATA_ROOTS = [
  'clara_content', 'images/image_repository_orm', 'audio/tts_repository_orm', 'gloss_images', 'prompt_templates', 'phonetic_orthography',
  'mediafiles', 'LARA_legacy', 'clara_compiled', 'clara_compiled_phonetic', 'clara_compiled_for_questionnaire', 'clara_app/config.ini',
  'clara_app/clara_core/readspeaker_license_key.txt',
]
const JSON_FILES = [/^clara_content\/[^/]+\/metadata\.json$/, /^clara_content\/[^/]+\/coherent_images_v2_project_dir\/params\.json$/, /^prompt_templates\/[^/]+\/metadata\.json$/]
export const isPathJson = (rel: string) => JSON_FILES.some((r) => r.test(rel))

/** A short temp dir (the archived image path is 196 characters: a long new root would not fit varchar(200)). */
export function shortDir(t: Test, prefix = 'cr'): string {
  const dir = mkdtempSync(`/tmp/${prefix}-`)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export function bin(name: string): string {
  return path.join(REPO, 'tools', name, 'bin.js')
}

export async function node(tool: string, args: string[], timeoutMs = HANG_MS): Promise<SpawnResult> {
  return spawnTool(process.execPath, [bin(tool), ...args], { env: childEnv(), timeoutMs })
}

/** The fixture at `clara` (SQLite by default); returns its DB URL. */
export async function fixture(clara: string, db?: string): Promise<string> {
  const r = await node('fixture', ['--clara', clara, ...(db ? ['--db', db] : [])])
  if (r.code !== 0) throw new Error(`clara-fixture failed: ${r.stderr}`)
  return db ?? `sqlite://${clara}/db.sqlite3`
}

/** A real backup (every domain, snapshots too); returns the run directory `latest` points at. */
export async function backup(clara: string, db: string, dest: string, extra: string[] = []): Promise<string> {
  const r = await node('backup', ['--clara', clara, '--db', db, '--dest', dest, '--lock-file', path.join(dest, '..', 'backup.lock'), '--quiet', ...extra])
  if (r.code !== 0 && r.code !== 1) throw new Error(`clara-backup exit ${r.code}: ${r.stderr}`)
  return path.join(dest, await fsp.readlink(path.join(dest, 'latest')))
}

/** The path oracle: where a value must point after a restore into `to`. */
export function expectedPath(v: unknown, oldRoots: string[], to: string): unknown {
  if (typeof v !== 'string' || !v) return v
  if (/^\$CLARA[\\/]/.test(v)) return to + '/' + v.slice(7).replace(/\\/g, '/')
  const n = v.replace(/\\/g, '/')
  for (const r of oldRoots) if (n.toLowerCase().startsWith(r.toLowerCase() + '/')) return to + n.slice(r.length)
  if (/^(audio\/tts_repository_orm|clara_content|images\/image_repository_orm|gloss_images\/image_repository_orm|prompt_templates)\//.test(n)) return `${to}/${n}`
  return v
}

/** Every table equal (content hash) except the path tables, compared row by row with the oracle. */
export async function compareDb(t: Test, srcUrl: string, dstUrl: string, oldRoots: string[], to: string): Promise<void> {
  const src = await openDb(srcUrl, { readonly: true })
  const dst = await openDb(dstUrl, { readonly: true })
  try {
    const [a, b] = [await hashTables(src), await hashTables(dst)]
    t.same(Object.keys(b).sort(), Object.keys(a).sort(), 'same tables')
    const pathTables = new Set<string>(PATH_COLS.map(([tb]) => tb))
    const differing = Object.keys(a).filter((k) => !pathTables.has(k) && (a[k].sha256 !== b[k]?.sha256 || a[k].rows !== b[k]?.rows))
    t.same(differing, [], 'every other table equal row for row (content hash)')
    for (const [table, col] of PATH_COLS) {
      const q = `select * from ${src.ident(table)} order by id`
      const [ra, rb] = [await src.query(q), await dst.query(q)]
      t.equal(rb.length, ra.length, `${table}: same rows`)
      const want = ra.map((r) => ({ ...r, [col]: expectedPath(r[col], oldRoots, to) }))
      t.same(rb, want, `${table}: equal, ${col} rewritten into the new root`)
    }
  } finally {
    await src.close()
    await dst.close()
  }
}

export async function entries(root: string, rel: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>()
  const abs = path.join(root, rel)
  const st = await fsp.lstat(abs).catch(() => null)
  if (!st) return out
  if (!st.isDirectory()) {
    out.set(rel, { rel, kind: 'file', size: st.size, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777, abs: Buffer.from(abs) } as TreeEntry)
    return out
  }
  for await (const e of walkTree(abs)) out.set(`${rel}/${e.rel}`, e)
  return out
}
