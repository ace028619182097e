/**
 * Test helper (not a test): the real `clara-fixture` install (tools/fixture, built by `make build`)
 * in SQLite or in a throwaway PostgreSQL database, and a byte+mtime snapshot of a tree.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { hashFile } from '@clara/shared/hash'
import { createPgDb, repoRoot } from '@clara/shared/testkit'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { walkTree } from '@clara/shared/walk'

export interface Install {
  clara: string
  url: string
  drop(): Promise<void>
}

/** `clara-fixture --clara <dir>/clara [--db <pg>]`; throws with the fixture's stderr on failure. */
export async function realFixture(dir: string, engine: 'sqlite' | 'postgres' = 'sqlite', extra: string[] = []): Promise<Install> {
  const clara = path.join(dir, 'clara')
  const pg = engine === 'postgres' ? await createPgDb('clara_lp') : null
  const args = [path.join(repoRoot(), 'tools', 'fixture', 'bin.js'), '--clara', clara, ...(pg ? ['--db', pg.url] : []), ...extra]
  const r = await spawnTool(process.execPath, args)
  if (r.code !== 0) {
    await pg?.drop()
    throw new Error(`clara-fixture failed (${r.code}): ${r.stderr}`)
  }
  return { clara, url: pg ? pg.url : `sqlite://${path.join(clara, 'db.sqlite3')}`, drop: async () => pg?.drop() }
}

/** Every entry under `root` with its kind, size, mode, mtime and (files) sha256. */
export async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const st = await fsp.lstat(root)
  out.set('.', `dir ${st.mtimeMs}`)
  for await (const e of walkTree(root)) {
    const hash = e.kind === 'file' ? (await hashFile(e.abs.toString())).sha256 : ''
    out.set(e.rel, `${e.kind} ${e.size} ${e.mode} ${e.mtimeMs} ${hash} ${e.target ?? ''}`)
  }
  return out
}
