/**
 * Reusing a whole domain. Before a domain runs, clara-backup fingerprints everything it reads (the
 * roots clara-model's domainInputs names, stat data only: tens of ms) and, after it succeeds, keeps
 * that fingerprint in the run's `inputs.json` (inputs-ledger.ts). When the next run finds the
 * same fingerprint, the same options and the same toolkit build, the domain would come out the same:
 * the previous run's folder is hard-linked whole (index.json last) and no tool is started. Anything
 * short of that proof, and the domain runs as usual, where each unit is still reused on its own when
 * unchanged.
 */
import { createHash } from 'node:crypto'
import fs, { promises as fsp } from 'node:fs'
import path from 'node:path'
import { syncDir } from '@clara/shared/durability'
import { parseDbUrl } from '@clara/shared/db'
import { domainInputs, type DomainInputs, type InputsContext } from '@clara/clara-model/domain-inputs'
import type { Domain } from './domains.js'
import type { InputWalker } from './input-walker.js'
import type { InputsDoc, LedgerDoc } from './inputs-ledger.js'
import { domainFailures } from './domain-failures.js'
import { argsOfLines } from './domain-env.js'

/**
 * An entry changed this close to the walk may have changed again within the same timestamp tick
 * without showing it (git's "racily clean" case): such a fingerprint proves nothing.
 */
export const RACY_MS = 2000

/**
 * The racy window in force: RACY_MS, or `CLARA_BACKUP_RACY_MS` (whole milliseconds) when set. Only
 * tests set it, to stand on either side of the window without waiting for the clock: 0 trusts any
 * entry changed before the millisecond the walk began in, a day refuses whatever was changed today.
 * Anything else than a whole number is not a window: the default stands.
 */
export function racyWindowMs(env: NodeJS.ProcessEnv): number {
  const v = env.CLARA_BACKUP_RACY_MS
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : RACY_MS
}

/** Failures that follow from the inputs alone (a link to a file that is not there): they come back unchanged. */
const DETERMINISTIC = new Set(['EUNRESOLVED'])

/** The digest of the toolkit build: every tool's bundle and tsc build info (both are content-derived). */
export function toolkitStamp(repo: string, version: string): string {
  const h = createHash('sha256').update(version)
  const dirs = ['shared', ...fs.readdirSync(path.join(repo, 'tools')).sort().map((t) => path.join('tools', t))]
  for (const d of dirs) {
    for (const f of ['dist/tsconfig.tsbuildinfo', 'dist/src/bin.bundle.mjs']) {
      h.update(`\n${d}/${f}\n`)
      try {
        h.update(fs.readFileSync(path.join(repo, d, f)))
      } catch {
        h.update('-')
      }
    }
  }
  return h.digest('hex')
}

/** What a domain's output depends on besides its inputs: its script, the flags and variables it gets, the build. */
export function domainConfig(d: Domain, scriptsDir: string, env: NodeJS.ProcessEnv, stamp: string, encryptTo: string[]): string {
  // the previous run and the worker count change nothing in what is written
  const args = argsOfLines(env.CLARA_ARCHIVE_ARGS)
  const archive = args.filter((a, i) => !['--link-dest', '--workers'].includes(a) && !['--link-dest', '--workers'].includes(args[i - 1])).join(' ')
  const doc = {
    toolkit: stamp,
    script: createHash('sha256').update(fs.readFileSync(path.join(scriptsDir, d.script))).digest('hex'),
    clara: env.CLARA,
    // the URL may hold a password: only its digest is kept
    db: createHash('sha256').update(env.DATABASE_URL ?? '').digest('hex'),
    list: env.CLARA_LIST_ARGS ?? '',
    archive,
    legacy_root: env.LEGACY_ROOT ?? '',
    shard_size_mb: env.SHARD_SIZE_MB ?? '',
    encrypt_to: [...encryptTo].sort(),
  }
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex')
}

/** The database as clara-model's domainInputs wants it. */
export function inputsContext(clara: string, dbUrl: string, env: NodeJS.ProcessEnv): InputsContext {
  const t = parseDbUrl(dbUrl)
  return { clara, db: t.engine === 'sqlite' ? { engine: 'sqlite', file: t.file ?? t.url } : { engine: t.engine }, env }
}

/**
 * Fingerprint a domain's inputs now, before its tools read them; null for a domain that is always run
 * (infra, snapshots). Roots another domain's walk already covered this run are not walked again.
 */
export async function takeInputs(d: Domain, ctx: InputsContext, config: string, walker: InputWalker): Promise<InputsDoc | null> {
  const inputs = domainInputs(d.dir, ctx)
  if (!inputs) return null
  const base = { version: 1 as const, domain: d.dir, config, fingerprint: null, entries: 0, taken_at: new Date().toISOString() }
  if (inputs.open) return { ...base, reusable: false, why: inputs.open }
  try {
    const fp = await walker.fingerprint(inputs.roots)
    const doc = { ...base, fingerprint: fp.sha256, entries: fp.entries }
    const racyMs = racyWindowMs(ctx.env)
    if (fp.marginMs < racyMs) return { ...doc, reusable: false, why: `an input changed within ${racyMs / 1000} s of the walk` }
    return { ...doc, reusable: true }
  } catch (err) {
    return { ...base, reusable: false, why: `its inputs could not be walked: ${(err as Error).message}` }
  }
}

/**
 * Hand the walker, before any domain starts, the roots of the later domains that the first one to
 * start with inputs does not read: that one walks its own in this thread meanwhile.
 */
export function prefetchInputs(order: Domain[], ctx: InputsContext, walker: InputWalker): void {
  const [first, ...later] = order.map((d) => domainInputs(d.dir, ctx)).filter((i): i is DomainInputs => Boolean(i && !i.open))
  const mine = new Set(first?.roots.map((r) => r.path))
  for (const i of later) walker.prefetch(i.roots.filter((r) => !mine.has(r.path)))
}

/** Why the previous run's domain cannot stand in for this run's, or null when it can. */
export async function whyNotReuse(prevRun: string | null, prevLedger: LedgerDoc, runDir: string, d: Domain, now: InputsDoc | null): Promise<string | null> {
  if (!prevRun) return 'no previous run'
  if (!now) return 'always run'
  if (!now.reusable) return now.why ?? 'inputs not proven unchanged'
  const prev = prevLedger.domains[d.dir]
  if (!prev?.reusable) return prev ? (prev.why ?? 'not reusable') : 'the previous run kept no fingerprint of its inputs'
  if (prev.config !== now.config) return 'options or toolkit changed'
  if (prev.fingerprint !== now.fingerprint) return 'inputs changed'
  if (!(await exists(path.join(prevRun, d.dir, 'index.json')))) return 'the previous run has no index of it'
  const bad = (await domainFailures(prevRun, d.dir)).find((f) => !DETERMINISTIC.has(String(f.code)))
  if (bad) return `the previous run had a failure worth retrying (${bad.code ?? bad.step})`
  const here = await fsp.readdir(path.join(runDir, d.dir)).catch(() => [])
  if (here.length) return 'this run already holds part of it'
  return null
}

const exists = (p: string) => fsp.access(p).then(() => true, () => false)

/**
 * Hard-link the previous run's domain folder into this run: folders made with their modes, every
 * file linked (synchronous calls: a few µs each), then every new folder fsynced at once (concurrent
 * fsyncs share journal commits), and index.json last: a domain with an index is complete. Under
 * `CLARA_FLUSH=grouped` in `env` (clara-backup's domains) the fsyncs are left to the domain's flush.
 */
export async function linkDomain(prevDir: string, dir: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let files = 0
  const dirs: string[] = []
  const copy = (from: string, to: string, top: boolean): void => {
    fs.mkdirSync(to, { mode: fs.statSync(from).mode & 0o7777 })
    dirs.push(to)
    for (const e of fs.readdirSync(from, { withFileTypes: true })) {
      if (top && e.name === 'index.json') continue
      const [a, b] = [path.join(from, e.name), path.join(to, e.name)]
      if (e.isDirectory()) copy(a, b, false)
      else if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(a), b)
      else {
        fs.linkSync(a, b)
        files++
      }
    }
  }
  copy(prevDir, dir, true)
  await Promise.all(dirs.map((d) => syncDir(d, env)))
  fs.linkSync(path.join(prevDir, 'index.json'), path.join(dir, 'index.json'))
  await syncDir(dir, env)
  await syncDir(path.dirname(dir), env)
  return files + 1
}

