/** Rows of the faults catalogue that need their own run: disk full, corruption, hostile archives, locks, bad NDJSON, zip64. */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, promises as fsp, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { hashFile } from '@clara/shared/hash'
import { SPACE_FAULT_VAR } from '@clara/shared/space-fault'
import { ZipReader } from '@clara/shared/zip-reader'
import { deleteMember, editIndex, flipBit, swapUnits, truncateHalf } from './corrupt.js'
import { checkFinalNames } from './final-names.js'
import { plantHostile } from './malicious.js'
import { bin, toolEnv } from './paths.js'
import { recordsOf, runCmd } from './proc.js'
import { checkListed } from './run-checks.js'
import { growTmpfs, mountTmpfs, unmount } from './tmpfs.js'
import { verifyRun } from './verify.js'
import { BACKUP_ENV, backupCmd, must } from './world.js'

const latestOf = (root: string) => fsp.readlink(path.join(root, 'latest')).catch(() => null)
const sqliteOf = (clara: string) => `sqlite://${path.join(clara, 'db.sqlite3')}`

/**
 * Where the disk-full row fills up: a real 3 MiB tmpfs (where the machine lets us mount one), or
 * ENOSPC injected at our own I/O layer (shared/src/space-fault.ts): every tool of the run may write
 * 256 KiB through AtomicFile, then its writes fail as on a full disk.
 */
export type FullDisk = 'tmpfs' | 'injected'

export const INJECTED_SPACE = 256 << 10

interface Space {
  root: string
  env?: NodeJS.ProcessEnv
  /** make a finished run before the one that fills the disk */
  prior: boolean
  free(): void
  release(): void
}

function fullSpace(work: string, how: FullDisk): Space {
  if (how === 'injected') {
    const root = path.join(work, 'full-injected', 'backups')
    return { root, env: toolEnv({ [SPACE_FAULT_VAR]: String(INJECTED_SPACE) }), prior: true, free: () => {}, release: () => {} }
  }
  const mnt = path.join(work, 'full')
  mountTmpfs(mnt, 3 << 20)
  return { root: path.join(mnt, 'backups'), prior: false, free: () => growTmpfs(mnt, 256 << 20), release: () => unmount(mnt) }
}

/** Back up `clara` onto a full disk, then make room (the injected fault: run without it) and --resume. */
export async function diskFull(work: string, clara: string, how: FullDisk) {
  const space = fullSpace(work, how)
  try {
    const { root } = space
    const lock = path.join(work, `full-${how}.lock`)
    const w = { clara, db: sqliteOf(clara) }
    // Injected, a finished run comes first (a 3 MiB tmpfs has no room for one), so that `latest` has a
    // run to stay on; the full run is then --full, or it would only hard-link that run's units.
    if (space.prior) must(await runCmd(backupCmd(w, root, lock)), 'the run before the disk is full', [0, 1])
    const latestBefore = await latestOf(root)
    const first = await runCmd({ ...backupCmd(w, root, lock, space.prior ? ['--full'] : []), env: { ...(space.env ?? toolEnv()), ...BACKUP_ENV } })
    const runId = readdirSync(root).find((n) => /^\d{8}T/.test(n) && n !== latestBefore) ?? '(none)'
    const afterFull = [...(await checkFinalNames(root)), ...(await checkListed(path.join(root, runId)))]
    const latestAfterFull = await latestOf(root)
    space.free()
    const resumed = await runCmd(backupCmd(w, root, lock, ['--resume', runId]))
    return { first, runId, afterFull, latestBefore, latestAfterFull, resumed, latestAfterResume: await latestOf(root), verified: await verifyRun(path.join(root, 'latest')) }
  } finally {
    space.release()
  }
}

/** Damage a copy of `run`, one kind per unit; clara-verify --data full on it. */
export async function corruptAll(run: string, copy: string) {
  await fsp.cp(run, copy, { recursive: true, verbatimSymlinks: true })
  const damaged: Record<string, string> = {
    'bit flip': 'source_exports/12',
    truncation: 'legacy_zips/peter_rabbit_lara',
    'deleted member': 'media/gloss_images',
    'swapped units (first)': 'compiled_exports/37',
    'swapped units (second)': 'compiled_exports/60',
    'edited index': 'source_exports/55',
  }
  await flipBit(path.join(copy, 'source_exports/12/source.zip'))
  await truncateHalf(path.join(copy, 'legacy_zips/peter_rabbit_lara/legacy.zip'))
  const z = await ZipReader.open(path.join(copy, 'media/gloss_images/media.zip'))
  const victim = z.entries.find((e) => e.kind === 'file')!.name
  await z.close()
  await deleteMember(copy, 'media', 'gloss_images', victim)
  await swapUnits(copy, 'compiled_exports', '37', '60')
  await editIndex(copy, 'source_exports', '55')
  const r = await runCmd({ cmd: bin('clara-verify'), args: [copy, '--data', 'full', '--no-state', '--quiet'] })
  const failed: string[] = recordsOf(r.stdout).filter((v) => v.type === 'verdict' && v.ok === false).map((v) => `${v.check} ${v.item}: ${v.message}`)
  return { code: r.code, damaged, failed }
}

/** Plant hostile units into a copy of `run` and restore its legacy domain. */
export async function malicious(run: string, dir: string) {
  const copy = path.join(dir, 'run')
  const outside = path.join(dir, 'outside')
  const to = path.join(dir, 'target')
  await fsp.cp(run, copy, { recursive: true, verbatimSymlinks: true })
  await fsp.mkdir(outside, { recursive: true })
  const units = await plantHostile(copy, String(process.pid), outside)
  const r = await runCmd({ cmd: bin('clara-restore'), args: [copy, '--to', to, '--domains', 'legacy', '--max-unit-bytes', String(16 << 20)] })
  const records = recordsOf(r.stdout)
  // a bomb refuses its unit; an unsafe member is skipped (named) and the rest of its unit restored
  const refused = records.filter((x) => x.type === 'refused').map((x) => String(x.unit))
  const refusedMembers = records.filter((x) => x.type === 'restored' && Array.isArray(x.refused_members) && x.refused_members.length).map((x) => String(x.unit))
  return {
    code: r.code,
    stderr: r.stderr,
    refused,
    refusedMembers,
    outside: [...readdirSync(outside), ...readdirSync(dir).filter((n) => !['run', 'outside', 'target'].includes(n))],
    hostileInTarget: units.some((u) => refused.includes(u) && existsSync(path.join(to, 'LARA_legacy', u))),
    goodRestored: existsSync(path.join(to, 'LARA_legacy/peter_rabbit_lara')),
  }
}

/** A lock file left by a process that is gone; a run (infra only, fast) must take it over. */
export async function staleLockTakeover(work: string, clara: string) {
  const lock = path.join(work, 'stale.lock')
  const dead = spawnSync('true').pid
  await fsp.writeFile(lock, JSON.stringify({ pid: dead, host: os.hostname(), started: new Date(Date.now() - 3_600_000).toISOString(), token: 'dead' }) + '\n')
  const c = backupCmd({ clara, db: sqliteOf(clara) }, path.join(work, 'stale-root'), lock, ['--domains', 'infra'])
  return runCmd({ ...c, args: c.args.filter((a) => a !== '--quiet') })
}

/** Bad streams into clara-zip-unit, and a truncated one into clara-index over a finished domain. */
export async function ndjsonRows(work: string, run: string) {
  const dir = path.join(work, 'ndjson')
  await fsp.mkdir(path.join(dir, 'src/a'), { recursive: true })
  await fsp.writeFile(path.join(dir, 'src/a/x.txt'), 'x')
  const unit = (u: string) => JSON.stringify({ type: 'unit', domain: 'd', unit: u, archives: [{ name: 'z', sources: [{ dir: path.join(dir, 'src/a') }] }] })
  const streams: Record<string, string[]> = {
    garbage: [unit('1'), 'this is not JSON', unit('2'), '{"type":"end","count":2}'],
    truncated: [unit('1'), unit('2')],
    reordered: [unit('1'), '{"type":"end","count":2}', unit('2')],
  }
  const zipUnit: Record<string, { code: number | null; stderr: string }> = {}
  for (const [what, lines] of Object.entries(streams)) {
    const f = path.join(dir, `${what}.ndjson`)
    await fsp.writeFile(f, lines.join('\n') + '\n')
    zipUnit[what] = await runCmd({ cmd: bin('clara-zip-unit'), args: ['--dest', path.join(dir, `dest-${what}`)], stdinFile: f })
  }
  const copy = path.join(dir, 'run')
  await fsp.cp(run, copy, { recursive: true, verbatimSymlinks: true })
  const before = await fsp.readFile(path.join(copy, 'source_exports/index.json'))
  const one = JSON.stringify({ type: 'artifact', domain: 'source_exports', unit: '12', path: 'source_exports/12/source.zip' })
  await fsp.writeFile(path.join(dir, 'index-in.ndjson'), one + '\n')
  const index = await runCmd({ cmd: bin('clara-index'), args: ['--dest', copy, '--domain', 'source_exports'], stdinFile: path.join(dir, 'index-in.ndjson') })
  return { zipUnit, index: { ...index, unchanged: before.equals(await fsp.readFile(path.join(copy, 'source_exports/index.json'))) } }
}

/** A sparse file of 4 GiB + 12345 bytes through clara-zip-unit: the member must read back with the source's sha256. */
export async function sparseZip64(dir: string) {
  const src = path.join(dir, 'src')
  await fsp.mkdir(src, { recursive: true })
  const big = path.join(src, 'huge.bin')
  const fh = await fsp.open(big, 'w')
  await fh.truncate(4 * 2 ** 30 + 12345)
  await fh.write(Buffer.from('the end'), 0, 7, 4 * 2 ** 30 + 12338)
  await fh.close()
  const units = path.join(dir, 'units.ndjson')
  await fsp.writeFile(units, JSON.stringify({ type: 'unit', domain: 'd', unit: 'u', archives: [{ name: 'a', sources: [{ dir: src }] }] }) + '\n{"type":"end","count":1}\n')
  const r = await runCmd({ cmd: bin('clara-zip-unit'), args: ['--dest', path.join(dir, 'dest'), '--workers', '1'], stdinFile: units })
  const zip = path.join(dir, 'dest/d/u/a.zip')
  const z = await ZipReader.open(zip)
  const memberSha256 = (await z.hash(z.entries.find((e) => e.name === 'huge.bin')!)).sha256
  await z.close()
  const unzipTest = /No errors detected/.test(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' }))
  const sourceSha256 = (await hashFile(big)).sha256
  await fsp.rm(dir, { recursive: true, force: true })
  return { code: r.code, stderr: r.stderr, memberSha256, sourceSha256, unzipTest }
}
