/**
 * Where a run would restore to, checked by the rules clara-restore applies before writing
 * anything (clara-model's restore places): each unit's restore-to paths inside C-LARA's data
 * places, infra only inside restored_infra/, a snapshot's whole-root target allowed.
 */
import path from 'node:path'
import { INFRA_FOLDER, restoreTargetProblem } from '@clara/clara-model/restore-places'

const latin1 = (b64: string) => Buffer.from(b64, 'base64').toString('latin1')

/** A restore mapping's targets (metadata.json `archives[].restore`) that restore would refuse. */
export function specProblems(specs: unknown): string[] {
  if (specs === undefined) return []
  if (!Array.isArray(specs)) return ['metadata.json restore mapping is not a list']
  const out: string[] = []
  for (const s of specs) {
    if (!s || typeof s !== 'object' || (typeof s.to !== 'string' && typeof s.to_b64 !== 'string')) {
      out.push('metadata.json restore mapping has an entry without a target')
      continue
    }
    const to = typeof s.to_b64 === 'string' ? latin1(s.to_b64) : Buffer.from(s.to).toString('latin1')
    const targets = [to]
    if (!('prefix' in s)) {
      const member = typeof s.path_b64 === 'string' ? latin1(s.path_b64) : typeof s.path === 'string' ? Buffer.from(s.path).toString('latin1') : ''
      targets.push(`${to}/${path.posix.basename(member)}`)
    }
    for (const t of targets) {
      const why = restoreTargetProblem(t)
      if (why) out.push(`${why} (restore refuses the unit)`)
    }
  }
  return [...new Set(out)]
}

/** A shard group's `restore_to` (snapshots restore to the root itself, member by member). */
export function shardTargetProblem(domain: string, to: unknown): string | null {
  if (to === undefined) return null
  if (typeof to !== 'string') return 'index.json restore_to is not a path'
  if (domain === 'snapshots' && path.posix.normalize(to) === '.') return null
  const why = restoreTargetProblem(to)
  return why ? `${why} (restore refuses the shard)` : null
}

/** An infra entry's name: one name, restored into restored_infra/. */
export function infraNameProblem(name: string): string | null {
  const why = restoreTargetProblem(`${INFRA_FOLDER}/${name}`, true)
  return why ? `${why} (restore refuses infra)` : null
}
