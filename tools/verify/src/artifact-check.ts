/**
 * One artifact against what was recorded: its size always; when chosen for a data check, its
 * sha256 and (for zips and tars not stored encrypted) every member, in one read of the file.
 */
import { ArtifactError, artifactFile } from '@clara/shared/artifact-file'
import type { MemberInfo } from '@clara/shared/member-check'
import { fileSize } from './disk.js'
import type { HashPool } from './hash-pool.js'
import { memberKey } from './member-name.js'
import type { Artifact, MemberExpect } from './model.js'
import { readPass } from './read-pass.js'
import { checkTar } from './tar-check.js'
import { checkZip } from './zip-check.js'

/** A member found in the archive: `name` readable (for messages), `nameBytes` exact (for matching). */
interface Seen {
  name: string
  nameBytes: Buffer
  kind: string
  size: number
  sha256?: string
  /** a symlink's target, exact bytes (tars) */
  targetBytes?: Buffer
}

/** A found symlink against its record: a zip member's sha256 is that of its target; a tar listing records the target. */
function linkProblems(m: Seen, x: MemberExpect, from: string): string[] {
  if (x.sha256 && m.sha256 && m.sha256 !== x.sha256) return [`member ${x.name}: link target differs from ${from} (sha256)`]
  if (x.target && m.targetBytes && !x.target.equals(m.targetBytes)) return [`member ${x.name}: link target differs from ${from}`]
  return []
}

/** Members found against members recorded (keyed by their names' exact bytes): missing, extra, other size, content or link target. */
export function compareMembers(found: Seen[], expected: Map<string, MemberExpect>, from: string): string[] {
  const problems: string[] = []
  const byName = new Map(found.map((m) => [memberKey(m.nameBytes), m]))
  for (const [key, x] of expected) {
    const m = byName.get(key)
    if (!m) problems.push(`member ${x.name} (in ${from}) is missing`)
    else if ((x.kind ?? 'file') === 'file' && m.kind === 'file') {
      if (Number.isFinite(x.size) && m.size !== x.size) problems.push(`member ${x.name}: ${m.size} bytes, ${from} says ${x.size}`)
      else if (x.sha256 && m.sha256 && m.sha256 !== x.sha256) problems.push(`member ${x.name}: content differs from ${from} (sha256)`)
    } else if (m.kind === 'symlink' && (x.kind ?? 'symlink') === 'symlink') problems.push(...linkProblems(m, x, from))
  }
  for (const m of found) if (m.kind !== 'dir' && !expected.has(memberKey(m.nameBytes))) problems.push(`member ${m.name} is not in ${from}`)
  return problems
}

function fileCount(found: Seen[], want: number | undefined): string[] {
  if (want === undefined) return []
  const n = found.filter((m) => m.kind === 'file' || m.kind === 'symlink').length
  return n === want ? [] : [`${n} file members, ${want} recorded`]
}

/** Size only (the structure level); an artifact that is not a regular file inside the run is never opened. */
export async function checkSize(a: Artifact, runDir: string): Promise<string[]> {
  try {
    artifactFile(runDir, a.rel)
  } catch (err) {
    if (err instanceof ArtifactError && !/: missing: /.test(err.message)) return [err.message]
  }
  const size = await fileSize(a.abs)
  if (size < 0) return [`${a.rel}: missing`]
  return size === a.size ? [] : [`${a.rel}: ${size} bytes on disk, ${a.size} recorded`]
}

export interface DataResult {
  problems: string[]
  bytes: number
  /** members whose content was checked */
  members: number
  /** a zip's or tar's members, for the member checks restore makes (unitMemberProblems) */
  infos?: MemberInfo[]
}

/** Re-hash the artifact (on a `pool` worker when given) and check its members, in one read. */
export async function checkData(a: Artifact, pool: HashPool | null = null): Promise<DataResult> {
  const prefix = (p: string) => `${a.rel}: ${p}`
  if (!a.encrypted && a.kind === 'zip') {
    const z = await checkZip(a.abs, { memberSha: Boolean(a.members?.size), pool })
    const problems = [...z.problems]
    if (z.sha256 !== a.sha256) problems.unshift(`sha256 differs from the record (${z.size} bytes read)`)
    if (z.members) {
      problems.push(...fileCount(z.members, a.files))
      if (a.members?.size) problems.push(...compareMembers(z.members, a.members, a.membersFrom ?? 'the record'))
    }
    return { problems: problems.map(prefix), bytes: z.size, members: z.members?.length ?? 0, infos: z.infos ?? undefined }
  }
  if (!a.encrypted && (a.kind === 'tar' || a.kind === 'tgz')) {
    const t = await checkTar(a.abs, { gzip: a.kind === 'tgz', pool })
    const problems = [...t.problems]
    if (t.sha256 !== a.sha256) problems.unshift(`sha256 differs from the record (${t.size} bytes read)`)
    if (!t.problems.length) {
      if (a.members) problems.push(...compareMembers(t.members, a.members, a.membersFrom ?? 'the listing'))
      else problems.push(...fileCount(t.members, a.files))
    }
    return { problems: problems.map(prefix), bytes: t.size, members: t.members.length, infos: t.problems.length ? undefined : t.infos }
  }
  const h = await readPass(a.abs, pool)
  return { problems: h.sha256 === a.sha256 ? [] : [prefix(`sha256 differs from the record (${h.size} bytes read)`)], bytes: h.size, members: 0 }
}
