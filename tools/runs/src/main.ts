import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { ClaraError, EXIT, UsageError } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'
import { writeFileAtomic } from '@clara/shared/atomic'
import { fmtBytes, Logger, withLogFlags } from '@clara/shared/log'
import { RecordWriter } from '@clara/shared/ndjson'
import { listRuns } from '@clara/shared/run-set'
import { dumpTables, rowDiff, unitDiff } from './diff.js'
import { projectBackups, runFailures, type RunFailure } from './history.js'
import { runInfo, table } from './list.js'
import { reportHtml } from './report.js'
import { allFacts } from './run-facts.js'

const USAGE = `$0 list --root BACKUP_ROOT
       $0 diff RUN_A RUN_B [--root BACKUP_ROOT]
       $0 report --root BACKUP_ROOT [--out FILE]

The backup runs under BACKUP_ROOT, read from their manifests, failures.json and indexes (nothing
is written but the report). list: one run_info record per run, oldest first (id, status,
selection, units, bytes, new bytes, failures, age), or a table when stdout is a terminal.
diff: the units added, removed and changed per domain from RUN_A to RUN_B (run folders, or ids
under --root), and the tables whose row count or content changed (from the dumps' metadata).
report: writes one static HTML page (default BACKUP_ROOT/report.html): the newest run, the size
of each domain over time, the failures of each run, and each project's last good backup.`

interface Opts {
  _: (string | number)[]
  root?: string
  a?: string
  b?: string
  out?: string
  now?: string
  quiet?: boolean
  verbose?: boolean
  'log-json'?: boolean
}

function nowOf(opts: Opts, env: NodeJS.ProcessEnv): Date {
  const text = opts.now ?? env.CLARA_NOW
  const now = text ? new Date(text) : new Date()
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now: not a date: ${text}`)
  return now
}

async function rootOf(io: Io, opts: Opts): Promise<string> {
  if (!opts.root) throw new UsageError('--root BACKUP_ROOT is required')
  const root = path.resolve(io.cwd, opts.root)
  if (!(await fsp.stat(root).catch(() => null))?.isDirectory()) throw new ClaraError(`--root ${opts.root}: no such directory`, EXIT.FATAL, 'ENOENT')
  return root
}

/** A run given as a folder, or as an id under --root. */
async function runDirOf(io: Io, opts: Opts, given: string): Promise<string> {
  const candidates = [path.resolve(io.cwd, given), ...(opts.root && !given.includes('/') ? [path.resolve(io.cwd, opts.root, given)] : [])]
  for (const c of candidates.reverse()) if ((await fsp.stat(c).catch(() => null))?.isDirectory()) return c
  throw new ClaraError(`${given}: no such run${opts.root ? ` (neither a folder nor a run under ${opts.root})` : ' (a run folder, or an id with --root)'}`, EXIT.USAGE, 'EUSAGE')
}

async function list(io: Io, opts: Opts, out: RecordWriter): Promise<void> {
  const set = await listRuns(await rootOf(io, opts))
  const now = nowOf(opts, io.env)
  const rows = allFacts(set).map((f) => runInfo(f, now))
  if ((io.stdout as { isTTY?: boolean }).isTTY) return void io.stdout.write(table(rows))
  await out.writeMany(rows)
  await out.end()
}

async function diff(io: Io, opts: Opts, out: RecordWriter, log: Logger): Promise<void> {
  const a = await runDirOf(io, opts, String(opts.a))
  const b = await runDirOf(io, opts, String(opts.b))
  const { units, domains } = await unitDiff(a, b)
  const [ta, tb] = [await dumpTables(a), await dumpTables(b)]
  const rows = ta && tb ? rowDiff(ta, tb) : []
  const tty = (io.stdout as { isTTY?: boolean }).isTTY
  if (tty) {
    const lines = domains.map((d) => `${d.domain}: ${d.added} added, ${d.removed} removed, ${d.changed} changed, ${d.unchanged} unchanged`)
    for (const u of units) lines.push(`  ${u.change.padEnd(8)} ${u.domain}/${u.unit}${u.change === 'changed' ? ` (${fmtBytes(u.bytes_a ?? 0)} → ${fmtBytes(u.bytes_b ?? 0)})` : ''}`)
    for (const r of rows) lines.push(`rows ${r.table}: ${r.rows_a ?? '–'} → ${r.rows_b ?? '–'}${r.content_changed ? ' (same count, content changed)' : ''}`)
    io.stdout.write(lines.join('\n') + '\n')
  } else {
    await out.writeMany([...domains, ...units, ...rows])
  }
  if (!ta || !tb) {
    const missing = [!ta && a, !tb && b].filter(Boolean).map((p) => path.basename(String(p)))
    const message = `no readable database dump metadata in ${missing.join(' and ')} (no db domain, or encrypted): row counts not compared`
    log.warn('diff', message)
    if (!tty) await out.write({ type: 'warning', during: 'diff', item: missing.join(','), message })
  }
  log.info(`${path.basename(a)} → ${path.basename(b)}: ${units.length} unit(s) differ, ${rows.length} table(s) changed`)
  if (!tty) await out.end()
}

async function report(io: Io, opts: Opts, out: RecordWriter, log: Logger): Promise<void> {
  const root = await rootOf(io, opts)
  const set = await listRuns(root)
  const runs = allFacts(set)
  const failures = new Map<string, RunFailure[]>()
  for (const r of runs) failures.set(r.id, await runFailures(path.join(root, r.id)))
  const projects = await projectBackups(root, runs, failures)
  const file = path.resolve(io.cwd, opts.out ?? path.join(root, 'report.html'))
  const html = reportHtml({ root, now: nowOf(opts, io.env), runs, failures, projects })
  await writeFileAtomic(file, html, { mode: 0o640 })
  log.info(`${file}: ${runs.length} run(s), ${projects.length} project(s)`)
  await out.write({ type: 'summary', tool: 'clara-runs', ok: 1, failed: 0, bytes: Buffer.byteLength(html), path: file, runs: runs.length, projects: projects.length })
  await out.end()
}

/** clara-runs: list the runs of a backup root, compare two runs, write an HTML report. */
export async function main(io: Io): Promise<number> {
  const opts = (await parseArgs(io, {
    name: 'clara-runs',
    usage: USAGE,
    build: (y) =>
      withLogFlags(y)
        .command('list', 'one record per run (a table on a terminal)')
        .command('diff <a> <b>', 'units added, removed and changed per domain, and row-count changes per table, from run A to run B')
        .command('report', 'write report.html: newest run, sizes per domain over time, failures per run, each project\'s last good backup')
        .demandCommand(1, 'a command is required: list, diff or report')
        .option('root', { type: 'string', describe: 'the backup root holding the run directories' })
        .option('out', { type: 'string', describe: 'report: the HTML file to write (default BACKUP_ROOT/report.html)' })
        .option('now', { type: 'string', describe: 'the current time for ages (ISO 8601; default $CLARA_NOW or the clock)' }),
  })) as Opts | null
  if (!opts) return EXIT.OK
  const log = new Logger(io, 'clara-runs', opts)
  const out = new RecordWriter(io.stdout)
  const cmd = String(opts._[0])
  if (cmd === 'list') await list(io, opts, out)
  else if (cmd === 'diff') await diff(io, opts, out, log)
  else if (cmd === 'report') await report(io, opts, out, log)
  else throw new UsageError(`unknown command: ${cmd} (list, diff or report)`)
  return EXIT.OK
}
