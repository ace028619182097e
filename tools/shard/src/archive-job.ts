/** One archive to produce: reuse it by hard link when its fingerprint is known, else write it and its listing. */
import path from 'node:path'
import type { FaultHook } from '@clara/shared/source-file'
import { chooseCompression, type CompressMode, type Compression } from './compression.js'
import { fingerprint } from './fingerprint.js'
import type { ShardEntry } from './index-doc.js'
import { memberRow, restat, sortByPath, type Member, type MemberRow } from './member.js'
import { membersName, writeMembers } from './members-file.js'
import type { WriterThread } from './archive-sink.js'
import { stageLinks, type Candidate, type Staged } from './reuse.js'
import { RetryArchive, writeArchive, type Problem } from './tar-writer.js'

export interface Job {
  group: string
  /** file name without extension, e.g. `tts_audio_part_0001` */
  base: string
  /** folder inside the domain directory ('' or 'archives') */
  dir: string
  /** in archive order */
  members: Member[]
  fingerprint: string
}

export interface JobContext {
  outDir: string
  compress: CompressMode
  level: number
  /** part of the fingerprint: changes whenever the same members would give other bytes */
  settings: string
  fault?: FaultHook
  signal?: AbortSignal
  thread: WriterThread
  /** where file reads run (tar-writer.ts ArchiveOptions.reads; default 'auto') */
  reads?: 'auto' | 'pool'
}

export interface JobResult {
  entry: ShardEntry
  problems: Problem[]
}

export function makeJob(group: string, base: string, dir: string, members: Member[], settings: string): Job {
  const sorted = sortByPath(members)
  return { group, base, dir, members: sorted, fingerprint: fingerprint(sorted.map(memberRow), settings) }
}

const EXT: Record<Compression, string> = { gzip: 'tgz', none: 'tar' }

function rel(job: Job, compression: Compression): { archive: string; members: string } {
  const archive = path.posix.join(job.dir, `${job.base}.${EXT[compression]}`)
  return { archive, members: membersName(archive) }
}

/** Stage hard links to a known identical archive (re-hashed first with `rehash`); null when there is none usable. */
export async function stageReuse(job: Job, c: Candidate | undefined, outDir: string, rehash = false): Promise<{ entry: ShardEntry; staged: Staged[] } | null> {
  if (!c) return null
  const r = rel(job, c.entry.compression)
  const staged = await stageLinks(c, path.join(outDir, r.archive), path.join(outDir, r.members), rehash)
  if (!staged) return null
  const entry: ShardEntry = { ...c.entry, name: path.posix.basename(r.archive), group: job.group, path: r.archive, members_path: r.members, reused: true }
  return { entry, staged }
}

/** Write the archive (again, if a large member changed mid-read) and its listing. */
export async function writeJob(job: Job, ctx: JobContext): Promise<JobResult> {
  const choice = chooseCompression(ctx.compress, job.members, ctx.fault)
  const r = rel(job, choice.compression)
  const problems: Problem[] = []
  let members = job.members
  for (let attempt = 1; ; attempt++) {
    try {
      const listing = (rows: MemberRow[]) => writeMembers(path.join(ctx.outDir, r.members), rows)
      const opts = { thread: ctx.thread, gzip: choice.compression === 'gzip', level: ctx.level, fault: ctx.fault, signal: ctx.signal, reads: ctx.reads, listing }
      const res = await writeArchive(path.join(ctx.outDir, r.archive), members, opts)
      problems.push(...res.problems)
      const entry = entryOf(job, r, choice, res, res.rows, res.listing!.sha256, ctx.settings)
      return { entry, problems }
    } catch (err) {
      if (!(err instanceof RetryArchive)) throw err
      const m = err.member
      // a member that changed while read is retried once (as clara-zip-unit does), then left out as a failure
      if (err.cause.code === 'ECHANGED' && attempt < 2) {
        try {
          m.entry = await restat(m)
          continue
        } catch (e) {
          err.cause = e as NodeJS.ErrnoException
        }
      }
      problems.push({ kind: 'error', item: m.name, message: err.cause.message, code: err.cause.code })
      members = members.filter((x) => x !== m)
    }
  }
}

function entryOf(job: Job, r: { archive: string; members: string }, choice: ReturnType<typeof chooseCompression>, res: { size_bytes: number; sha256: string; bytes: number }, rows: MemberRow[], membersSha: string, settings: string): ShardEntry {
  const entry: ShardEntry = {
    name: path.posix.basename(r.archive),
    group: job.group,
    path: r.archive,
    compression: choice.compression,
    size_bytes: res.size_bytes,
    sha256: res.sha256,
    files: rows.filter((x) => x.kind === 'file').length,
    entries: rows.length,
    bytes: res.bytes,
    first_path: rows[0]?.path ?? null,
    last_path: rows[rows.length - 1]?.path ?? null,
    members_path: r.members,
    members_sha256: membersSha,
    fingerprint: fingerprint(rows, settings),
    reused: false,
  }
  if (choice.sample_savings !== undefined) entry.sample_savings = choice.sample_savings
  return entry
}
