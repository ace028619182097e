/**
 * clara-pgdump killed while pg_dump streams a PostgreSQL database (60k bulk rows, and a table of
 * every value kind) into its temp file; the rerun writes a new dump whose table hashes equal the
 * uninterrupted one's.
 */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { createPgDb } from '@clara/shared/testkit'
import type { Target } from '../crash.js'
import { bin } from '../paths.js'
import { recordsOf, runCmd } from '../proc.js'
import { treeBytes } from '../tree-size.js'
import { must, type World } from '../world.js'
import { intactDir, sameExit } from './common.js'

async function pgSource(w: World): Promise<string> {
  const db = await createPgDb('clara_stress')
  w.cleanups.push(() => db.drop())
  const c = await openDb(db.url)
  await c.exec(`create table stress_bulk (id bigint primary key, body text not null);
    insert into stress_bulk select g, md5(g::text) || repeat(md5((g * 7919)::text), 3) from generate_series(1, 60000) g;
    create table stress_kinds (id serial primary key, title text, at timestamptz, doc jsonb, raw bytea, flag boolean, n numeric(12,3));
    insert into stress_kinds (title, at, doc, raw, flag, n) select 'Ça va ' || g, '2024-01-01'::timestamptz + g * interval '61 minutes',
      jsonb_build_object('g', g, 'path', '/home/stm-admmxr/C-LARA/x' || g), decode(md5(g::text), 'hex'), g % 2 = 0, g / 7.0 from generate_series(1, 3000) g`)
  await c.close()
  return db.url
}

async function tablesOf(run: string, dumpTs: string): Promise<string> {
  const meta = JSON.parse(await fsp.readFile(path.join(run, 'db', `clara_db_${dumpTs}.db_metadata.json`), 'utf8'))
  return JSON.stringify(meta.tables)
}

export async function pgdumpTarget(w: World): Promise<Target> {
  const url = await pgSource(w)
  const ref = path.join(w.work, 'ref-pgdump')
  const dump = (dest: string, ts: string) => ({ cmd: bin('clara-pgdump'), args: ['--dest', dest, '--db', url, '--timestamp', ts, '--quiet'] })
  const d = must(await runCmd(dump(ref, '20250101_000000')), 'reference clara-pgdump')
  const want = await tablesOf(ref, '20250101_000000')
  return {
    name: 'pgdump',
    records: recordsOf(d.stdout).length,
    bytes: treeBytes(ref),
    async start(trial) {
      return { cmd: dump(path.join(trial, 'run'), '20250101_000001'), watch: trial, note: 'PostgreSQL, pg_dump -Fc' }
    },
    afterKill: (trial) => intactDir(path.join(trial, 'run')),
    async converge(trial) {
      const run = path.join(trial, 'run')
      const again = await runCmd(dump(run, '20250101_000002'))
      const out = await sameExit('clara-pgdump (rerun)', again, 0, trial)
      out.push(...(await intactDir(run)))
      const index = JSON.parse(await fsp.readFile(path.join(run, 'db', 'index.json'), 'utf8'))
      if (!index.entries.some((e: { name: string }) => e.name === 'clara_db_20250101_000002.dump')) out.push('db/index.json does not list the rerun\'s dump')
      if ((await tablesOf(run, '20250101_000002')) !== want) out.push('the rerun\'s table hashes differ from the uninterrupted dump\'s')
      return out
    },
  }
}
