/** Test helper (not a test): restore a run with sources and check everything the round trip asks for. */
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Test } from 'tap'
import { openDb } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { compareDb, OLD_HOST, WINDOWS_ROOTS } from './kit.js'
import { grepTree, notStoredPaths, treeDiffs, unresolvedMedia } from './kit-files.js'

/** Restore `run` into `to` (with sources) and check everything the issue asks for. */
export async function roundTrip(t: Test, o: { run: string; to: string; clara: string; srcDb: string; dstDb?: string }): Promise<void> {
  const { run, to, clara } = o
  const dstDb = o.dstDb ?? `sqlite://${to}/db.sqlite3`
  const r = await runMain(main, { argv: [run, '--to', to, '--db', dstDb, '--sources', '--quiet'] })
  t.equal(r.code, 0, `restore exits 0 ${r.stderr}`)
  t.same(r.records.filter((x) => x.type === 'refused' || x.type === 'error'), [], 'no unit refused or failed')
  const olds = [clara, OLD_HOST, ...WINDOWS_ROOTS]
  await compareDb(t, o.srcDb, dstDb, olds, to)
  t.same(await treeDiffs(clara, to, run, olds, { sources: true }), [], 'every file under the data roots equal (bytes, mtime, mode), JSON path files per the oracle')
  const [la, lb] = await Promise.all([clara, to].map(async (root) => {
    const d = await openDb(`sqlite://${root}/audio/tts_metadata_local.db`, { readonly: true })
    try {
      return await hashTables(d)
    } finally {
      await d.close()
    }
  }))
  t.same(lb, la, 'the retired audio SQLite file holds the same rows')
  const unresolved = await unresolvedMedia(to, dstDb)
  t.equal(unresolved.length, 1, `exactly one unresolved media reference: ${unresolved.join(', ')}`)
  t.match(unresolved[0], /^clara_compiled_phonetic\/12\/page_1\.html: .*openai.*_missing\.mp3$|^clara_compiled_phonetic\/12\/page_1\.html: multimedia\/alloy_.*_missing\.mp3$/, 'the fixture’s deliberate one')
  const exempt = /^(\.clara-restore\/|restore_report\.json$|restored_infra\/|db\.sqlite3$|audio\/tts_metadata_local\.db$|.*\.pickle$)/
  // any Windows checkout under C:/cygwin64/home, in / or \ (or JSON's \\) form; not config.ini's `bash = C:/cygwin64/bin/bash`, a program C-LARA ships, not a root
  const windows = ['cygwin64/home', 'cygwin64\\home', 'cygwin64\\\\home']
  t.same(await grepTree(to, [clara, OLD_HOST, ...windows], exempt), [], 'no old root in any restored file (pickles, the retired audio DB and infra-for-review aside)')
  const report = JSON.parse(await fsp.readFile(path.join(to, 'restore_report.json'), 'utf8'))
  t.equal(report.proof.ok, true, 'the proof holds')
  t.same(report.to_provide.flatMap((x: { restore_to: string[] }) => x.restore_to).sort(), await notStoredPaths(run), 'the units the run left out (secret, not encrypted) are listed as to be provided')
  t.same(report.proof.db_remaining, {}, 'no path column names an old root')
  t.same(Object.keys(report.incidental).sort(), ['clara_app_taskupdate.message', 'django_q_task.result'], 'old roots only in incidental text (task messages, task results)')
  t.same(Object.keys(report.rewrites.totals).sort(), ['clara_var', 'posix', 's3_key', 'windows_backslash', 'windows_slash'], 'all four styles (both Windows forms) rewritten')
  const found = report.old_roots.map((x: { root: string }) => x.root).sort()
  t.same(found, [clara, OLD_HOST, ...WINDOWS_ROOTS].sort(), 'old roots: the manifest’s plus the detected ones')
  for (const d of ['logs', 'tmp', 'mediafiles']) t.ok((await fsp.stat(path.join(to, d))).isDirectory(), `${d}/ exists`)
}

