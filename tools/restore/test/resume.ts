/**
 * A restore that is killed (SIGKILL, at record boundaries and at arbitrary times) and rerun ends
 * equal to one that was never killed: same files, bytes, modes and file mtimes, same rows, no
 * temp file or stage left, and the rerun skips the units already restored.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDb } from '@clara/shared/db'
import { hashFile } from '@clara/shared/hash'
import { hashTables, type TableHash } from '@clara/shared/table-hash'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { excluder, walkTree } from '@clara/shared/walk'
import { backup, bin, fixture, shortDir } from './kit.js'

const base = shortDir(t, 'rsm')
const to = path.join(base, 'new')
const dbUrl = `sqlite://${to}/db.sqlite3`
let run = ''

t.before(async () => {
  const clara = path.join(base, 'old')
  run = await backup(clara, await fixture(clara), path.join(base, 'backups'))
})

/** Files (bytes, mode, mtime), links and folders; folder mtimes aside (not all archives record them). */
async function state(): Promise<{ tree: string[]; tables: Record<string, TableHash>; leftovers: string[] }> {
  const lines: string[] = []
  const leftovers: string[] = []
  for await (const e of walkTree(to, { exclude: excluder(['.clara-restore', 'restore_report.json', 'db.sqlite3']) })) {
    if (/\.clara-restore-|\.tmp$/.test(e.rel)) leftovers.push(e.rel)
    const sum = e.kind === 'file' ? (await hashFile(e.abs.toString())).sha256 : e.kind === 'symlink' ? e.target : ''
    lines.push([e.kind, e.mode.toString(8), e.kind === 'file' ? Math.floor(e.mtimeMs / 1000) : '-', sum, e.rel].join('\t'))
  }
  const db = await openDb(dbUrl, { readonly: true })
  const tables = await hashTables(db)
  await db.close()
  return { tree: lines, tables, leftovers }
}

/** The entry lines (kind, mode, mtime, sha256, path) one tree has and the other lacks: a failure names the paths. */
function treeDiff(want: string[], got: string[]): { missing: string[]; extra: string[] } {
  const [w, g] = [new Set(want), new Set(got)]
  return { missing: want.filter((l) => !g.has(l)), extra: got.filter((l) => !w.has(l)) }
}

const args = () => [bin('restore'), run, '--to', to, '--db', dbUrl, '--sources', '--quiet']

t.test('killed restores, rerun, equal an uninterrupted one', async (t) => {
  const clean = await spawnTool(process.execPath, args(), { env: childEnv() })
  t.equal(clean.code, 0, `uninterrupted restore ${clean.stderr}`)
  const want = await state()
  const kills: ({ records: number } | { ms: number })[] = [{ records: 1 }, { records: 9 }, { ms: 150 }, { ms: 400 }, { ms: 650 }]
  for (const k of kills) {
    await fsp.rm(to, { recursive: true, force: true })
    let seen = 0
    const killed = await spawnTool(process.execPath, args(), {
      env: childEnv(),
      onSpawn: (child) => {
        if ('ms' in k) setTimeout(() => child.kill('SIGKILL'), k.ms)
        else child.stdout!.on('data', (c: Buffer) => {
          seen += c.toString().split('\n').filter((l) => l.includes('"type":"restored"')).length
          if (seen >= k.records) child.kill('SIGKILL')
        })
      },
    })
    const again = await spawnTool(process.execPath, args(), { env: childEnv() })
    t.equal(again.code, 0, `${JSON.stringify(k)} (${killed.signal ?? `exit ${killed.code}`}): the rerun completes ${again.stderr}`)
    const got = await state()
    t.same(got.leftovers, [], `${JSON.stringify(k)}: no temp file or stage left`)
    t.same(treeDiff(want.tree, got.tree), { missing: [], extra: [] }, `${JSON.stringify(k)}: the same tree (${want.tree.length} entries; a difference is listed by path)`)
    for (const [table, h] of Object.entries(want.tables)) t.same(got.tables[table], h, `${JSON.stringify(k)}: table ${table}, the same rows`)
    t.same(Object.keys(got.tables).filter((x) => !(x in want.tables)), [], `${JSON.stringify(k)}: no other table`)
    if ('records' in k && k.records > 1) t.match(again.stdout, /"already":true/, `${JSON.stringify(k)}: units restored before the kill are skipped`)
  }
})
