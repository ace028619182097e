/**
 * The data level: `structure` compares sizes; `sample N%` re-hashes a seeded sample, oldest
 * verified first; `full` re-hashes everything. A re-hashed zip or tar also has every member
 * read and checked (CRC, recorded member digests), in the same single read.
 */
import type { Logger } from '@clara/shared/log'
import path from 'node:path'
import { memberPath, unitMemberProblems, type MemberInfo } from '@clara/shared/member-check'
import { checkData, checkSize } from './artifact-check.js'
import { HashPool } from './hash-pool.js'
import { runRel, type Artifact, type Unit } from './model.js'
import { sample, type VerifyState } from './state.js'

export type DataLevel = { level: 'structure' } | { level: 'sample'; percent: number } | { level: 'full' }

export interface DataOutcome {
  checked: number
  bytes: number
  members: number
  /** artifacts re-hashed, by run-relative path, with their outcome */
  verified: Map<string, boolean>
}

/** Which artifacts get a data check. */
export function chooseArtifacts(all: Artifact[], level: DataLevel, state: VerifyState, seed: number): Artifact[] {
  if (level.level === 'structure') return []
  if (level.level === 'full') return all
  return sample(all, level.percent, state, seed)
}

async function pool<T>(items: T[], jobs: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++])
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker))
}

/** Run the checks, adding problems to the units they belong to. */
export async function checkUnitsData(units: Unit[], level: DataLevel, state: VerifyState, o: { run: string; seed: number; jobs: number; log: Logger; signal?: AbortSignal }): Promise<DataOutcome> {
  const unitOf = new Map<Artifact, Unit>()
  for (const u of units) for (const a of u.artifacts) unitOf.set(a, u)
  const all = [...unitOf.keys()]
  const missing = new Set<Artifact>()
  for (const a of all) {
    const p = await checkSize(a, o.run)
    if (p.length) {
      unitOf.get(a)!.problems.push(...p)
      missing.add(a)
    }
  }
  const chosen = chooseArtifacts(all.filter((a) => !missing.has(a)), level, state, o.seed)
  const out: DataOutcome = { checked: 0, bytes: 0, members: 0, verified: new Map() }
  const infos = new Map<Artifact, MemberInfo[]>()
  const totalBytes = chosen.reduce((n, a) => n + a.size, 0)
  // whole-file hashes on worker threads (one per job, two at most: the machine's cores), member checks here
  const hashers = chosen.length ? new HashPool(Math.min(o.jobs, 2)) : null
  try {
    await pool(chosen, o.jobs, async (a) => {
      o.signal?.throwIfAborted()
      let r
      try {
        r = await checkData(a, hashers)
      } catch (err) {
        r = { problems: [`${a.rel}: cannot be read (${(err as Error).message})`], bytes: 0, members: 0 }
      }
      unitOf.get(a)!.problems.push(...r.problems)
      if (r.infos) infos.set(a, r.infos)
      out.checked++
      out.bytes += r.bytes
      out.members += r.members
      out.verified.set(a.rel, r.problems.length === 0)
      o.log.progress({ label: 'verifying', items: out.checked, total: chosen.length, bytes: out.bytes, totalBytes })
    })
  } finally {
    await hashers?.close()
  }
  o.log.done()
  // what restore would skip or change, through the same checks, unit by unit (its archives in order)
  const archivesOf = (u: Unit) => u.artifacts.map((a) => infos.get(a)).filter((x): x is MemberInfo[] => x !== undefined)
  // tar shards of one domain are merged into one folder by restore: each other's links are in the way
  const merged = (u: Unit) => u.artifacts.some((a) => a.kind === 'tar' || a.kind === 'tgz')
  const links = new Map<string, MemberInfo[]>()
  for (const u of units.filter(merged)) links.set(u.domain, [...(links.get(u.domain) ?? []), ...archivesOf(u).flat().filter((m) => m.type === 'symlink')])
  for (const u of units) {
    const archives = archivesOf(u)
    const problems = archives.length ? unitMemberProblems(archives, merged(u) ? [links.get(u.domain) ?? []] : []) : []
    if (problems.length) {
      u.problems.push(...problems)
      for (const a of u.artifacts) if (infos.has(a)) out.verified.set(a.rel, false)
    }
  }
  crossUnitLinks(units, infos)
  return out
}

/**
 * A zip unit whose restore-to folder lies below a symlink another unit restores is refused by
 * restore (nothing is written through a link): found here from the units' restore mappings
 * (`{prefix, to}`) and their symlink members.
 */
function crossUnitLinks(units: Unit[], infos: Map<Artifact, MemberInfo[]>): void {
  const clean = (to: string) => path.posix.normalize(to).replace(/\/+$/, '')
  const links = new Map<string, string>()
  const targets: [Unit, string][] = []
  for (const u of units) {
    const archives: any[] = Array.isArray(u.meta?.archives) ? u.meta.archives : []
    for (const a of u.artifacts) {
      const specs = archives.find((x) => typeof x?.path === 'string' && runRel(u.domain, x.path) === a.rel)?.restore
      for (const spec of Array.isArray(specs) ? specs : []) {
        if (typeof spec?.prefix !== 'string' || typeof spec.to !== 'string' || spec.to_b64 !== undefined) continue
        const to = clean(spec.to)
        targets.push([u, to])
        const prefix = spec.prefix.replace(/\/+$/, '')
        for (const m of infos.get(a) ?? []) {
          if (m.type !== 'symlink') continue
          const n = memberPath(m.name)
          if (!('key' in n)) continue
          const key = Buffer.from(n.key, 'latin1').toString('utf8')
          if (prefix && key !== prefix && !key.startsWith(prefix + '/')) continue
          const sub = prefix ? key.slice(prefix.length + 1) : key
          links.set(sub ? `${to}/${sub}` : to, u.item)
        }
      }
    }
  }
  for (const [u, to] of targets) {
    const parts = to.split('/')
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/')
      const owner = links.get(p)
      if (owner && owner !== u.item) {
        u.problems.push(`restore target ${to} lies below the symlink ${p} that ${owner} restores (restore refuses the unit)`)
        break
      }
    }
  }
}
