/**
 * clara-restore --project ID --into CLARA: a project a user deleted after the backup comes back into
 * the live install (folders, rows, paths migrated), and nothing else changes, on SQLite and
 * PostgreSQL. The oracle is the test's own: the rows C-LARA's delete removes (listed here from the
 * schema), every row of every table before and after, and a digest of every other folder.
 */
import { createHash } from 'node:crypto'
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { openDb, type Db } from '@clara/shared/db'
import { createPgDb, runMain } from '@clara/shared/testkit'
import { walkTree } from '@clara/shared/walk'
import { main } from '../src/main.js'
import { backup, expectedPath, fixture, OLD_HOST, PATH_COLS, shortDir, WINDOWS_ROOTS } from './kit.js'
import { compiledFacts } from './kit-files.js'

const ID = 37
const INTERNAL = 'Mary_had_a_little_lamb_37'
const FOLDERS = [`clara_content/${INTERNAL}`, `images/image_repository_orm/${INTERNAL}`, `clara_compiled/${ID}`, `clara_compiled_phonetic/${ID}`, `clara_compiled_for_questionnaire/${ID}`]
// What deleting project 37 in C-LARA removes (Django cascades these foreign keys; the orm_* image rows are keyed by internal_id).
const BY_CONTENT = [['clara_app_comment', 'content_id'], ['clara_app_rating', 'content_id'], ['clara_app_contentaccess', 'content_id'], ['clara_app_tqbooklink', 'book_id']]
const BY_PROJECT = ['clara_app_projectpermissions', 'clara_app_apicall', 'clara_app_formatpreferences', 'clara_app_phonetichumanaudioinfo', 'clara_app_claraprojectaction',
  'clara_app_readinghistoryprojectorder', 'clara_app_humanaudioinfo', 'clara_app_acknowledgements', 'clara_app_satisfactionquestionnaire', 'clara_app_imagequestionnaireresponse',
  'clara_app_readinghistory', 'clara_app_content']
const BY_INTERNAL = ['orm_image_metadata', 'orm_image_description', 'clara_app_archivedimagemetadata']

type TableRow = { table: string; row: Record<string, unknown> }
const key = (r: TableRow) => `${r.table}\t${JSON.stringify(Object.keys(r.row).sort().map((k) => [k, r.row[k]]))}`

async function withDb<T>(url: string, f: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(url, { readonly: false })
  try {
    return await f(db)
  } finally {
    await db.close()
  }
}

/** Every row of every table. */
const allRows = (url: string) => withDb(url, async (db) => {
  const out: TableRow[] = []
  for (const table of await db.tables()) for (const row of await db.query(`select * from ${db.ident(table)}`)) out.push({ table, row })
  return out
})

/** `a` less `b`, as multisets of rows. */
function minus(a: TableRow[], b: TableRow[]): TableRow[] {
  const n = new Map<string, number>()
  for (const r of b) n.set(key(r), (n.get(key(r)) ?? 0) + 1)
  return a.filter((r) => {
    const k = key(r)
    const c = n.get(k) ?? 0
    if (c) n.set(k, c - 1)
    return !c
  })
}

/**
 * Delete project 37: `all` loses everything (rows by internal_id and every folder too); otherwise as
 * C-LARA's own delete does (the project row with Django's cascade, and the project's source folder).
 */
async function userDeletes(url: string, clara: string, all = true): Promise<number> {
  const n = await withDb(url, async (db) => {
    let count = 0
    const del = async (sql: string, p: unknown[]) => {
      count += (await db.query(`select count(*) as n from ${sql}`, p) as { n: number | string }[]).reduce((s, r) => s + Number(r.n), 0)
      await db.query(`delete from ${sql}`, p)
    }
    await db.exec('begin')
    for (const [table, col] of BY_CONTENT) await del(`${table} where ${col} in (select id from clara_app_content where project_id = ?)`, [ID])
    for (const table of BY_PROJECT) await del(`${table} where project_id = ?`, [ID])
    if (all) for (const table of BY_INTERNAL) await del(`${table} where project_id = ?`, [INTERNAL])
    await del('clara_app_claraproject where id = ?', [ID])
    await db.exec('commit')
    return count
  })
  for (const f of all ? FOLDERS : FOLDERS.slice(0, 1)) await fsp.rm(path.join(clara, f), { recursive: true, force: true })
  return n
}

/**
 * Digest of every file and folder under `root` (names, kinds, modes, contents), leaving out `skip`;
 * `sha` gives a file's expected sha256 in place of its own (the compiled pages clara-zip-unit rewrote).
 */
async function treeDigest(root: string, skip: (rel: string) => boolean, sha = new Map<string, string>()): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for await (const e of walkTree(root)) {
    if (skip(e.rel)) continue
    const h = e.kind === 'file' ? sha.get(e.rel) ?? createHash('sha256').update(await fsp.readFile(e.abs.toString())).digest('hex') : ''
    out.set(e.rel, `${e.kind} ${e.mode.toString(8)} ${h}`)
  }
  return out
}

const inProject = (rel: string) => FOLDERS.some((f) => rel === f || rel.startsWith(f + '/'))
const ours = (rel: string) => rel === '.clara-restore' || rel.startsWith('.clara-restore/')
// The live database file changes by design (compared row by row instead).
const liveDb = (rel: string) => rel === 'db.sqlite3' || rel.startsWith('db.sqlite3-')
// A compiled folder's download zip is left out of the backup (no archive inside an archive); the media its
// pages named by site URL come back beside them, in multimedia/ (clara-zip-unit's rewrite).
const notArchived = (rel: string) => /^clara_compiled[^/]*\/[^/]+\/content_zipfile_[^/]*\.zip$/.test(rel)

for (const engine of ['sqlite', 'postgres'] as const) {
  t.test(`${engine}: a deleted project comes back, nothing else changes`, async (t) => {
    const base = shortDir(t, 'prj')
    const clara = path.join(base, 'clara')
    let url: string | undefined
    if (engine === 'postgres') {
      const d = await createPgDb('clara_project')
      t.teardown(() => d.drop())
      url = d.url
    }
    url = await fixture(clara, url)
    const run = await backup(clara, url, path.join(base, 'backups'))
    const before = await allRows(url)
    const projectTrees = await treeDigest(clara, (rel) => !inProject(rel) || notArchived(rel), (await compiledFacts(run)).rewritten)

    const deleted = await userDeletes(url, clara)
    t.ok(deleted > 10, `the user's delete removed ${deleted} rows`)
    // the live site goes on after the backup: another project renamed, a file added to it
    await withDb(url, (db) => db.query('update clara_app_claraproject set title = ? where id = ?', ['Renamed after the backup', 12]))
    await fsp.writeFile(path.join(clara, 'clara_content/Ça_va__12/added-after-backup.txt'), 'new\n')
    const live = await allRows(url)
    const otherTrees = await treeDigest(clara, (rel) => ours(rel) || liveDb(rel))

    const r = await runMain(main, { argv: [run, '--project', String(ID), '--into', clara, '--db', url, '--quiet'] })
    t.equal(r.code, 0, `exit 0 ${r.stderr}`)
    t.notOk(/\n\s+at /.test(r.stderr), 'no stack trace')
    const after = await allRows(url)
    t.same(minus(live, after), [], 'no live row changed or went away')
    const olds = [OLD_HOST, ...WINDOWS_ROOTS, clara]
    const pathCol = new Map<string, string>(PATH_COLS.map(([tb, c]) => [tb, c]))
    const want = minus(before, live).filter((x) => !(x.table === 'clara_app_claraproject' && Number(x.row.id) === 12))
      .map((x) => (pathCol.has(x.table) ? { ...x, row: { ...x.row, [pathCol.get(x.table)!]: expectedPath(x.row[pathCol.get(x.table)!], olds, clara) } } : x))
    const added = minus(after, live)
    t.equal(added.length, deleted, 'as many rows came back as the delete removed')
    t.same(added.map(key).sort(), want.map(key).sort(), 'exactly the deleted rows came back, path columns pointing into the live root')
    const trees = await treeDigest(clara, (rel) => !inProject(rel))
    // the JSON path files and the pickled texts are migrated into the live root (their own tests check how)
    const wrong = [...projectTrees].filter(([rel, d]) => !/metadata\.json$|params\.json$|\.pickle$/.test(rel) && trees.get(rel) !== d).map(([rel]) => rel)
    t.same(wrong, [], 'every file of the project’s folders came back (JSON path files and pickles migrated)')
    const pickles = [...projectTrees.keys()].filter((rel) => rel.endsWith('.pickle'))
    t.ok(pickles.length > 0 && pickles.every((rel) => trees.has(rel)), 'the pickled texts came back')
    const report0 = JSON.parse(await fsp.readFile(path.join(clara, `.clara-restore/projects/${ID}/restore_report.json`), 'utf8'))
    t.ok(Object.keys(report0.site.pickles.rewritten).some((rel) => rel.startsWith(`clara_content/${INTERNAL}/`)), 'their old-root paths moved into the live root')
    const extra = [...trees.keys()].filter((rel) => !projectTrees.has(rel) && !/^clara_compiled[^/]*\/[^/]+\/multimedia\//.test(rel))
    t.same(extra, [], 'and nothing more (but the pages’ media in multimedia/)')
    const others = await treeDigest(clara, (rel) => ours(rel) || inProject(rel) || liveDb(rel))
    const changed = [...otherTrees].filter(([rel, d]) => !inProject(rel) && others.get(rel) !== d).map(([rel]) => rel)
    t.same(changed, [], 'every other folder and file of the install unchanged')
    t.same([...others.keys()].filter((k) => !otherTrees.has(k)), [], 'nothing new outside the project and .clara-restore/')
    const report = JSON.parse(await fsp.readFile(path.join(clara, `.clara-restore/projects/${ID}/restore_report.json`), 'utf8'))
    t.equal(report.db.project, ID)
    t.notOk(existsSync(path.join(clara, 'restore_report.json')), 'no report in the live root itself')

    // Now the project is there: refused, and nothing written.
    const again = await runMain(main, { argv: [run, '--project', String(ID), '--into', clara, '--db', url, '--quiet'] })
    t.equal(again.code, 3)
    t.match(again.stderr, /project 37 \(Mary_had_a_little_lamb_37\) is in the live site.*--replace/)
    t.same(await allRows(url).then((x) => minus(after, x).length), 0, 'refused: the database untouched')

    // --replace: the live copy (with a change made since) moves aside, the backup's comes back.
    await withDb(url, (db) => db.query('update clara_app_claraproject set title = ? where id = ?', ['Edited live', ID]))
    const marker = path.join(clara, `clara_content/${INTERNAL}/edited-live.txt`)
    await fsp.writeFile(marker, 'live\n')
    const rep = await runMain(main, { argv: [run, '--project', String(ID), '--into', clara, '--db', url, '--replace', '--quiet'] })
    t.equal(rep.code, 0, rep.stderr)
    t.same(minus(after, await allRows(url)), [], 'the backup’s rows are back')
    t.notOk(existsSync(marker), 'the live folder was replaced')
    const aside = await fsp.readdir(path.join(clara, '.clara-restore/replaced/clara_content'))
    t.ok(aside.some((n) => n.startsWith(INTERNAL + '.')), 'its live copy moved aside')
    const saved = (await fsp.readdir(path.join(clara, `.clara-restore/projects/${ID}`))).filter((n) => n.startsWith('replaced-'))
    t.equal(saved.length, 1, 'the live rows saved before they were replaced')
    const doc = JSON.parse(await fsp.readFile(path.join(clara, `.clara-restore/projects/${ID}`, saved[0]), 'utf8'))
    const title = doc.rows.find((x: { table: string }) => x.table === 'clara_app_claraproject')
    t.equal(title.rows[0][title.columns.indexOf('title')], 'Edited live', 'with the live edit in them')

    // C-LARA's own delete keeps the image rows, the images and the compiled pages: no --replace needed.
    t.ok((await userDeletes(url, clara, false)) > 0, 'deleted as C-LARA does')
    const back = await runMain(main, { argv: [run, '--project', String(ID), '--into', clara, '--db', url, '--quiet'] })
    t.equal(back.code, 0, back.stderr)
    const final = await allRows(url)
    t.same([minus(after, final).length, minus(final, after).length], [0, 0], 'the database is as it was after the first restore')
    t.ok(existsSync(path.join(clara, `clara_content/${INTERNAL}`)), 'the source folder is back')
    const rep2 = JSON.parse(await fsp.readFile(path.join(clara, `.clara-restore/projects/${ID}/restore_report.json`), 'utf8'))
    t.match(rep2.warnings.join('\n'), /had left-overs in the live site/, 'the left-overs moved aside are reported')
  })
}

t.test('bad input: one line, no stack trace', async (t) => {
  const base = shortDir(t, 'prjb')
  const cases: [string[], number, RegExp][] = [
    [['RUN', '--project', '37'], 2, /--project ID needs --into CLARA/],
    [['RUN', '--project', 'x', '--into', base], 2, /--project/],
    [['RUN', '--project', '-3', '--into', base], 2, /--project wants a project id/],
    [['RUN', '--into', base], 2, /--into and --replace go with --project ID/],
    [[path.join(base, 'nope'), '--project', '37', '--into', path.join(base, 'nope2'), '--db', 'sqlite:///nope.db'], 2, /no such C-LARA root/],
  ]
  for (const [argv, code, msg] of cases) {
    const r = await runMain(main, { argv })
    t.equal(r.code, code, argv.join(' '))
    t.match(r.stderr, msg)
    t.notOk(/\n\s+at /.test(r.stderr), 'no stack trace')
  }
})
