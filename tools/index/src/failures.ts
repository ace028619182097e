/** failures.json: one entry per failed unit step, from `error` records. */
import type { Failure, FailuresDoc } from '@clara/shared/failures'
import { byUnitThen } from './unit-id.js'

export { failureOf, type Failure, type FailuresDoc } from '@clara/shared/failures'

export const sortFailures = (fs: Failure[]): Failure[] => [...fs].sort(byUnitThen((f) => f.step))

export function failuresDoc(domain: string, failures: Failure[], now: Date): FailuresDoc {
  return { version: 1, domain, generated_at: now.toISOString(), failures: sortFailures(failures) }
}
