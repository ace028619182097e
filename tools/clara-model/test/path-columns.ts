/** The path columns against the real PostgreSQL schema (tools/fixture/clara-schema, as clara-fixture loads it). */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { AUDIO_LAYOUT_COLUMNS } from '../src/audio-layout.js'
import { AUDIO_TABLE, PATH_COLUMNS } from '../src/path-columns.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
// clara-fixture's rule: $CLARA_SCHEMA_DIR, else the copy in tools/fixture/clara-schema (this package has no @clara/shared)
const SCHEMA = path.join(process.env.CLARA_SCHEMA_DIR ? path.resolve(process.env.CLARA_SCHEMA_DIR) : path.resolve(HERE, '../../..', 'fixture/clara-schema'), 'postgres.sql')

/** table → column → type, from the CREATE TABLE statements. */
function tables(sql: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>()
  for (const m of sql.matchAll(/^CREATE TABLE public\.(\w+) \(\n([\s\S]*?)\n\);/gm)) {
    const cols = new Map<string, string>()
    for (const l of m[2].split('\n')) {
      const c = /^\s+"?(\w+)"? (.+?)(?: NOT NULL)?,?$/.exec(l)
      if (c) cols.set(c[1], c[2])
    }
    out.set(m[1], cols)
  }
  return out
}

t.test('every file_path column of the schema, with its varchar limit (clara-facts §1.7, §8.2)', async (t) => {
  const schema = tables(fs.readFileSync(SCHEMA, 'utf8'))
  t.ok(schema.size > 50, `${SCHEMA} read`)
  const withPaths = [...schema].filter(([, cols]) => cols.has('file_path')).map(([name]) => name).sort()
  t.same(PATH_COLUMNS.map((c) => c.table).sort(), withPaths)
  for (const c of PATH_COLUMNS) {
    const cols = schema.get(c.table)!
    t.ok(cols.has(c.key), `${c.table}.${c.key}`)
    const limit = /^character varying\((\d+)\)/.exec(cols.get(c.column) ?? '')
    t.equal(c.max, limit ? Number(limit[1]) : undefined, `${c.table}.${c.column} ${cols.get(c.column)}`)
  }
  for (const c of AUDIO_LAYOUT_COLUMNS) t.ok(schema.get(AUDIO_TABLE)!.has(c), `${AUDIO_TABLE}.${c}`)
})
