/** Real backup runs to verify: the fixture on SQLite or PostgreSQL, backed up by clara-backup; copies to corrupt. */
import { execFileSync } from 'node:child_process'
import { existsSync, promises as fsp } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { createPgDb, repoRoot, runMain, type RunResult } from '@clara/shared/testkit'
import { binPath, childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'

export interface BuiltRun {
  root: string
  clara: string
  dbUrl: string
  /** the run directory (resolved `latest`) */
  run: string
  cleanup(): Promise<void>
}

async function tool(name: string, args: string[], env: NodeJS.ProcessEnv = childEnv()): Promise<string> {
  const r = await spawnTool(binPath(name), args, { env })
  if (r.code !== 0 && !(name === 'clara-backup' && r.code === 1)) throw new Error(`${name} exited ${r.code}: ${r.stderr.slice(-2000)}`)
  return r.stdout
}

/**
 * The fixture, backed up once with every default domain (and --checksums, so member digests are
 * recorded). PostgreSQL when `engine` says so (a throwaway database, dropped by cleanup).
 * `prepare` changes the fixture install before the backup.
 */
export async function buildRun(engine: 'sqlite' | 'postgres', prepare?: (clara: string) => Promise<void>): Promise<BuiltRun> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), `clara-verify-${engine}-`))
  const clara = path.join(root, 'clara')
  const pg = engine === 'postgres' ? await createPgDb('clara_vfix') : null
  const dbUrl = pg ? pg.url : `sqlite://${clara}/db.sqlite3`
  await tool('clara-fixture', ['--clara', clara, '--db', dbUrl, '--quiet'])
  await prepare?.(clara)
  const env = childEnv({ CLARA_CRONTAB: 'none' })
  await tool('clara-backup', ['--clara', clara, '--db', dbUrl, '--dest', path.join(root, 'backups'), '--lock-file', path.join(root, 'lock'), '--checksums', '--quiet'], env)
  const run = await fsp.realpath(path.join(root, 'backups', 'latest'))
  return {
    root, clara, dbUrl, run,
    async cleanup() {
      await fsp.rm(root, { recursive: true, force: true })
      await pg?.drop()
    },
  }
}

/** A copy of the run (`cp -a`, so hard links and mtimes stay as they are) to corrupt. */
export async function copyRun(b: BuiltRun, name: string): Promise<string> {
  const dir = path.join(b.root, 'copies', name)
  await fsp.mkdir(path.dirname(dir), { recursive: true })
  execFileSync('cp', ['-a', b.run, dir])
  return dir
}

export function verify(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runMain(main, { argv: [...argv, '--quiet'], env: { PATH: process.env.PATH, ...env } })
}

export function verdicts(r: RunResult, pred: (v: any) => boolean = () => true): any[] {
  return r.records.filter((x: any) => x.type === 'verdict' && pred(x))
}

export const failing = (r: RunResult) => verdicts(r, (v) => !v.ok)

export async function readJsonFile(file: string): Promise<any> {
  return JSON.parse(await fsp.readFile(file, 'utf8'))
}

export async function writeJsonFile(file: string, doc: unknown): Promise<void> {
  await fsp.writeFile(file, JSON.stringify(doc, null, 2) + '\n')
}

export async function sha256File(file: string): Promise<{ sha256: string; size: number }> {
  const buf = await fsp.readFile(file)
  return { sha256: createHash('sha256').update(buf).digest('hex'), size: buf.length }
}

/** Point every record of `rel` (run-relative) in the unit's metadata.json and the domain index at the file's new bytes. */
export async function refreshRecords(run: string, domain: string, unit: string, rel: string): Promise<void> {
  const { sha256, size } = await sha256File(path.join(run, rel))
  const metaFile = path.join(run, domain, unit, 'metadata.json')
  const meta = await readJsonFile(metaFile)
  for (const a of meta.archives) if (a.path === rel) Object.assign(a, { sha256, size_bytes: size })
  if (meta.archives.length === 1) Object.assign(meta, { sha256, size_bytes: size })
  await writeJsonFile(metaFile, meta)
  const idxFile = path.join(run, domain, 'index.json')
  const idx = await readJsonFile(idxFile)
  for (const e of idx.entries) if (`${domain}/${e.path}` === rel || e.path === rel) Object.assign(e, { sha256, size_bytes: size })
  await writeJsonFile(idxFile, idx)
  await fixManifestBytes(run, domain)
}

/** Make manifest.json's byte totals follow the domain's index again (as an encryption step would). */
export async function fixManifestBytes(run: string, domain: string): Promise<void> {
  const m = await readJsonFile(path.join(run, 'manifest.json'))
  const idx = await readJsonFile(path.join(run, domain, 'index.json'))
  m.domains[domain].bytes = idx.entries.reduce((n: number, e: any) => n + e.size_bytes, 0)
  m.totals.bytes = Object.values<any>(m.domains).reduce((n, d) => n + d.bytes, 0)
  await writeJsonFile(path.join(run, 'manifest.json'), m)
}

export const REPO = existsSync(path.join(repoRoot(), 'package.json')) ? repoRoot() : process.cwd()

/** After changing a plain file (infra/, db/): its index entry (and metadata document, if any) follow its new bytes. */
export async function refreshPlain(run: string, domain: string, rel: string, metaRel?: string): Promise<void> {
  const { sha256, size } = await sha256File(path.join(run, rel))
  const idxFile = path.join(run, domain, 'index.json')
  const idx = await readJsonFile(idxFile)
  for (const e of idx.entries) if (e.path === rel || `${domain}/${e.path}` === rel) Object.assign(e, { sha256, size_bytes: size })
  await writeJsonFile(idxFile, idx)
  if (metaRel) {
    const m = await readJsonFile(path.join(run, metaRel))
    Object.assign(m, { sha256, size_bytes: size })
    await writeJsonFile(path.join(run, metaRel), m)
  }
  await fixManifestBytes(run, domain)
}

/** Flip one bit in the middle of a file (same size). */
export async function flipBit(file: string, at = 0.5): Promise<void> {
  const buf = await fsp.readFile(file)
  buf[Math.floor(buf.length * at)] ^= 0x10
  await fsp.writeFile(file, buf)
}
