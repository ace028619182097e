/**
 * Targets are validated before anything is written: every restore-to path of a unit must lie in
 * one of C-LARA's data places (clara-model's restore-places), infra only in restored_infra/, and
 * every artifact must be a regular file inside the run. A unit failing any of these is refused
 * whole with a one-line reason (the other units go on); a snapshot, whose target is the whole
 * root, has each member's path judged instead.
 */
import { artifactFile } from '@clara/shared/artifact-file'
import { dataPlaceOf, restoreTargetProblem } from '@clara/clara-model/restore-places'
import { targetBytes, targetsOf } from './mapping.js'
import type { RestoreUnit } from './run-plan.js'

/** Why a member at `rel` (root-relative, latin1 text of its bytes) may not be written, or null. */
export function placeProblem(rel: string): string | null {
  return dataPlaceOf(rel) ? null : 'not inside one of C-LARA\'s data places'
}

/** Why the unit may not be restored at all, or null. Sets each artifact's `abs` to its checked real path. */
export function unitProblem(run: string, u: RestoreUnit): string | null {
  try {
    for (const a of u.artifacts) {
      for (const t of targetsOf(a.specs)) {
        const rel = targetBytes(t).toString('latin1')
        if (u.group === 'snapshots' && rel === '') continue
        const why = restoreTargetProblem(rel, u.group === 'infra')
        if (why) return why
      }
    }
    for (const a of u.artifacts) a.abs = artifactFile(run, a.path)
    return null
  } catch (err) {
    return (err as Error).message
  }
}
