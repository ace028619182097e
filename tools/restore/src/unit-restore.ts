/**
 * Restore one unit: skip it when its marker still holds; else unpack into stages beside the
 * targets, checking each artifact's sha256 on the way (read once with the unpack where it can
 * be; a mismatch or a Refusal discards every stage), skipping (and reporting) unsafe members,
 * rewrite the C-LARA JSON path files in the stage, make the unit's symlinks (last, verbatim),
 * set folder mtimes, then intent (when a target is not claimed) → commit. The marker is returned,
 * for the caller to write (units-step.ts: the unit may have run on a worker thread).
 */
import fs, { promises as fsp } from 'node:fs'
import { createHash } from 'node:crypto'
import { isUtf8 } from '@clara/shared/walk'
import { exists, Stage, type StageMode } from './stage.js'
import { place, relBytes, targetsOf, type Placement } from './mapping.js'
import { markerHolds, type Marker, type StateDir } from './markers.js'
import type { Artifact, RestoreUnit } from './run-plan.js'
import { underAny, UnitExtraction, type Skip } from './safe-member.js'
import { placeProblem } from './targets.js'
import { unpackZip, type Placer, type Written } from './zip-unpack.js'
import path from 'node:path'
import { readableName } from '@clara/shared/names'
import { PathConflict } from '@clara/shared/safe-tree'
import { Refusal } from './limits.js'
import { writeMember } from './fast-write.js'
import { unpackTar } from './tar-unpack.js'
import { rewriteStagedJson, type JsonHook } from './staged-json.js'
import { rewriteStagedPickles, type PickleHook } from './staged-pickle.js'
import { checkSqlite } from './sqlite-check.js'
import { openVerifiedZip, verifyArtifact } from './verify-artifact.js'
import type { RootSet } from './old-roots.js'

export interface UnitEnv {
  root: string
  state: StateDir
  roots: RootSet
  /** targets made by this restore (markers, intents): replaced without keeping a copy */
  owned: Set<string>
  /** bytes one archive may expand to */
  limit: number
  /** root-relative targets of the run's other units (latin1 text of their bytes): a snapshot leaves what lies under them alone */
  skipUnder: Set<string>
  onJson: JsonHook
  onPickle: PickleHook
  /** keep setuid/setgid/sticky bits (--keep-special-modes) */
  keepSpecialModes: boolean
  /** boots that ended unflushed: a marker of theirs does not hold (markers.ts) */
  distrusted: string[]
}

/** A symlink restored into the unit. */
export interface LinkOut {
  /** root-relative path of the link (readable) */
  path: string
  /** its target, readable */
  target: string
}

export interface Outcome {
  status: 'restored' | 'skipped'
  targets: string[]
  files: number
  bytes: number
  /** targets that were there before and not ours: moved under .clara-restore/replaced/ */
  replaced: string[]
  /** members not restored, with why */
  skipped: Skip[]
  /** members whose setuid/setgid/sticky bits were dropped */
  modesChanged: number
  /** symlinks restored that point outside NEWCLARA */
  linksOutside: LinkOut[]
  /** The marker to write now that the unit is in place (null: skipped, its marker holds); the unit counts as restored once it is written. */
  marker: Marker | null
  /** an intent was written before the commit: dropped once the marker is */
  intent: boolean
}

function modeOf(a: Artifact, specIndex: number): StageMode {
  if (a.format === 'tar' || a.format === 'tgz') return 'merge'
  return 'prefix' in a.specs[specIndex] ? 'replace' : 'file'
}

const tagOf = (u: RestoreUnit, target: string) => createHash('sha256').update(`${u.domain}\0${u.unit}\0${target}`).digest('hex').slice(0, 12)

/** One stage per target; folder stages exist from the start (so an empty folder is restored too). */
function makeStages(u: RestoreUnit, root: string, stages: Map<string, Stage>): void {
  for (const a of u.artifacts) {
    for (const [i, target] of targetsOf(a.specs).entries()) {
      if (stages.has(target)) continue
      const s = new Stage(root, target, u.merge ? 'merge' : modeOf(a, i), tagOf(u, target))
      stages.set(target, s)
      s.prepare()
    }
  }
}

async function unpack(a: Artifact, stages: Map<string, Stage>, env: UnitEnv, x: UnitExtraction): Promise<Written[]> {
  const placer: Placer = (name) => {
    const p = place(a.specs, name)
    if (!p) return null
    const rel = relBytes(p).toString('latin1')
    if (underAny(rel, env.skipUnder)) return null
    // a target that is the whole root (snapshots) holds data places only
    return p.target ? p : placeProblem(rel) ?? p
  }
  const stageFor = (p: Placement) => stages.get(p.target)!
  if (a.format === 'zip') {
    const zip = await openVerifiedZip(a)
    try {
      return await unpackZip(a.abs, zip, placer, stageFor, env.limit, x)
    } finally {
      zip.close()
    }
  }
  if (a.format !== 'file') return unpackTar(a, placer, stageFor, env.limit, x)
  await verifyArtifact(a)
  const target = targetsOf(a.specs)[0]
  const st = await fsp.stat(a.abs)
  const mode = x.mode(st.mode & 0o7777)
  await writeMember(stages.get(target)!.open([], mode), fs.createReadStream(a.abs), mode, st.mtime.getTime() / 1000) // the original's mtime is not recorded: keep the backup copy's
  return [{ target, sub: Buffer.alloc(0), kind: 'file', size: st.size }]
}

/** Make each stage's symlinks (after everything else of the unit); a link that cannot be made is skipped and reported. */
function makeLinks(written: Written[], stages: Map<string, Stage>, x: UnitExtraction): Written[] {
  const dropped = new Set<string>()
  for (const s of stages.values()) {
    for (const k of s.tree?.makeLinks() ?? []) {
      x.skip(k.name, k.reason)
      dropped.add(`${s.target}\0${k.key}`)
    }
  }
  return dropped.size ? written.filter((w) => w.kind !== 'symlink' || !dropped.has(`${w.target}\0${w.sub.toString('latin1')}`)) : written
}

/** What a merge left out (through a symlink, or over a folder, an earlier unit restored): reported, and out of the marker. */
function dropLeft(written: Written[], left: [string, string][], x: UnitExtraction): Written[] {
  if (!left.length) return written
  for (const [target, sub] of left) {
    const rel = relBytes({ target, sub: Buffer.from(sub, 'latin1') })
    x.skip(rel, 'would pass through a symlink, or replace a folder, that an earlier unit restored')
  }
  const under = (w: Written, sub: string) => {
    const s = w.sub.toString('latin1')
    return s === sub || s.startsWith(sub + '/')
  }
  return written.filter((w) => !left.some(([target, sub]) => w.target === target && under(w, sub)))
}

/** The restored symlinks that point outside NEWCLARA (absolute elsewhere, or climbing out of it). */
function linksOutside(written: Written[], root: string): LinkOut[] {
  const out: LinkOut[] = []
  for (const w of written) {
    if (w.kind !== 'symlink' || !w.link) continue
    const rel = relBytes(w).toString('latin1')
    const t = w.link.toString('latin1')
    const abs = t.startsWith('/') ? path.posix.normalize(t) : path.posix.normalize(path.posix.join(Buffer.from(root).toString('latin1'), path.posix.dirname(rel), t))
    const top = Buffer.from(root).toString('latin1')
    if (abs !== top && !abs.startsWith(top + '/')) out.push({ path: readableName(relBytes(w)), target: readableName(w.link) })
  }
  return out
}

const markerPath = (w: Written) => {
  const rel = relBytes(w)
  return isUtf8(rel) ? rel.toString('utf8') : `b64:${rel.toString('base64')}`
}

/** Put every stage in place; returns the targets that were not ours (moved aside) and whether an intent was written. */
async function commit(u: RestoreUnit, stages: Map<string, Stage>, env: UnitEnv): Promise<{ replaced: string[]; intent: boolean; left: [string, string][] }> {
  const replaced: string[] = []
  // the claim already covers targets that were not there; an intent only for the others
  const intent = [...stages.keys()].some((t) => !env.owned.has(t))
  if (intent) await env.state.writeIntent(u.domain, u.unit, { targets: [...stages.keys()] })
  const left: [string, string][] = []
  for (const s of stages.values()) {
    const foreign = s.mode !== 'merge' && !env.owned.has(s.target) && (await exists(s.dest))
    if (foreign) replaced.push(s.target)
    for (const sub of s.commit(foreign ? env.state.aside(s.target) : null)) left.push([s.target, sub])
    env.owned.add(s.target)
  }
  return { replaced, intent, left }
}

export async function restoreUnit(u: RestoreUnit, env: UnitEnv): Promise<Outcome> {
  const want = u.artifacts.map((a) => ({ path: a.path, sha256: a.sha256 }))
  const targets = [...new Set(u.artifacts.flatMap((a) => targetsOf(a.specs)))]
  const had = await env.state.readMarker(u.domain, u.unit)
  if (had && (await markerHolds(env.root, had, want, env.distrusted))) return { status: 'skipped', targets, files: had.files.length, bytes: had.files.reduce((n, f) => n + f[1], 0), replaced: [], marker: null, intent: false, skipped: had.refused_members ?? [], modesChanged: 0, linksOutside: had.links_outside ?? [] }
  const x = new UnitExtraction(env.keepSpecialModes)
  const stages = new Map<string, Stage>()
  let written: Written[] = []
  try {
    makeStages(u, env.root, stages)
    for (const a of u.artifacts) written.push(...(await unpack(a, stages, env, x)))
    rewriteStagedJson(written, stages, env.roots, env.onJson)
    rewriteStagedPickles(written, stages, env.roots, env.onPickle)
    if (u.sqlite) for (const s of stages.values()) await checkSqlite(s.abs)
    written = makeLinks(written, stages, x)
    for (const s of stages.values()) if (s.mode === 'replace') s.applyDirTimes(s.abs)
  } catch (err) {
    for (const s of stages.values()) s.sweep()
    throw err instanceof PathConflict ? new Refusal(err.message) : err
  }
  const { replaced, intent, left } = await commit(u, stages, env)
  written = dropLeft(written, left, x)
  const outside = linksOutside(written, env.root)
  const files = written.filter((w) => w.kind !== 'dir').map((w): [string, number] => [markerPath(w), w.size])
  const marker: Marker = { version: 1, domain: u.domain, unit: u.unit, artifacts: want, targets, files, restored_at: new Date().toISOString(), ...(x.skipped.length ? { refused_members: x.skipped } : {}), ...(outside.length ? { links_outside: outside } : {}) }
  return { status: 'restored', targets, files: files.length, bytes: files.reduce((n, f) => n + f[1], 0), replaced, marker, intent, skipped: x.skipped, modesChanged: x.modesChanged, linksOutside: outside }
}
