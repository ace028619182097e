/** From collected members to archive jobs: one single archive, or stable size-bounded shards. */
import { planShards } from './boundaries.js'
import { makeJob, type Job } from './archive-job.js'
import { byteKey, type Member } from './member.js'
import type { Options } from './options.js'

/** The write settings that go into every fingerprint. */
export function settingsOf(o: Options): string {
  return `compress=${o.compress};level=${o.compress === 'none' ? 0 : o.level}`
}

export function groupOf(o: Options): string {
  return o.single ?? o.prefix
}

/** Drop later duplicates of an archive path (two records naming the same file). */
export function dedupe(members: Member[]): { kept: Member[]; dropped: Member[] } {
  const seen = new Set<string>()
  const kept: Member[] = []
  const dropped: Member[] = []
  for (const m of members) {
    const k = byteKey(m)
    if (seen.has(k)) dropped.push(m)
    else {
      seen.add(k)
      kept.push(m)
    }
  }
  return { kept, dropped }
}

export function planJobs(members: Member[], o: Options): Job[] {
  const settings = settingsOf(o)
  if (o.single) return [makeJob(o.single, o.single, '', members, settings)]
  return planShards(members, o.shardSizeBytes).map((ms, i) => makeJob(o.prefix, `${o.prefix}_${String(i + 1).padStart(4, '0')}`, 'archives', ms, settings))
}

/** What an archive is expected to be, before it is written (for --dry-run). */
export function plannedEntry(job: Job) {
  const files = job.members.filter((m) => m.entry.kind === 'file')
  return {
    name: job.base,
    group: job.group,
    path: `${job.dir ? job.dir + '/' : ''}${job.base}`,
    compression: 'none' as const,
    size_bytes: job.members.reduce((n, m) => n + 512 + Math.ceil((m.entry.kind === 'file' ? m.entry.size : 0) / 512) * 512, 1024),
    sha256: '',
    files: files.length,
    entries: job.members.length,
    bytes: files.reduce((n, m) => n + m.entry.size, 0),
    first_path: job.members[0]?.name ?? null,
    last_path: job.members[job.members.length - 1]?.name ?? null,
    members_path: '',
    members_sha256: '',
    fingerprint: job.fingerprint,
    reused: false,
  }
}
