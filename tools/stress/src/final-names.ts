/**
 * "No file under a final name is partial": every zip reads whole (every member's CRC-32 and
 * size), every tar lists to its end, every JSON and NDJSON file parses, every SQLite file passes
 * integrity_check, every pg_dump archive lists. Temp files (`.<name>.<pid>.<rand>.tmp`) are
 * allowed: they are what a killed writer leaves.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { isTempName } from '@clara/shared/atomic'
import { walkTreeSync } from '@clara/shared/walk-sync'
import { ZipReader } from '@clara/shared/zip-reader'

type Check = (abs: string) => Promise<void> | void

async function zipWhole(abs: string): Promise<void> {
  const z = await ZipReader.open(abs)
  try {
    for (const e of z.entries) if (e.kind !== 'dir') await z.hash(e)
  } finally {
    await z.close()
  }
}

const quiet = { stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[], maxBuffer: 256 << 20 }

const CHECKS: [RegExp, Check][] = [
  [/\.zip$/, zipWhole],
  [/\.tar$/, (abs) => void execFileSync('tar', ['-tf', abs], quiet)],
  [/\.(tgz|tar\.gz)$/, (abs) => void execFileSync('tar', ['-tzf', abs], quiet)],
  [/\.json$/, (abs) => void JSON.parse(readFileSync(abs, 'utf8'))],
  [/\.ndjson$/, (abs) => readFileSync(abs, 'utf8').split('\n').filter((l) => l.trim()).forEach((l) => JSON.parse(l))],
  [/\.(sqlite3|db)$/, (abs) => {
    const r = execFileSync('sqlite3', ['-readonly', abs, 'PRAGMA integrity_check'], { ...quiet, encoding: 'utf8' }).trim()
    if (r !== 'ok') throw new Error(`integrity_check: ${r.slice(0, 200)}`)
  }],
  [/\.dump$/, (abs) => void execFileSync('pg_restore', ['--list', abs], quiet)],
  [/\.sql$/, (abs) => {
    if (!/-- Dump completed/.test(readFileSync(abs, 'utf8').slice(-4096))) throw new Error('no "-- Dump completed" trailer')
  }],
]

/** One problem line per file under a final name that does not read whole. `skip` leaves subtrees out. */
export async function checkFinalNames(root: string, skip: (rel: string) => boolean = () => false): Promise<string[]> {
  const problems: string[] = []
  for (const e of walkTreeSync(root, { exclude: (rel) => skip(rel) })) {
    if (e.kind !== 'file') continue
    const base = e.rel.slice(e.rel.lastIndexOf('/') + 1)
    if (isTempName(base)) continue
    const check = CHECKS.find(([re]) => re.test(base))
    if (!check) continue
    try {
      await check[1](e.abs.toString())
    } catch (err) {
      const msg = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message
      problems.push(`${e.rel}: partial or damaged under its final name (${msg.split('\n')[0]})`)
    }
  }
  return problems
}
