/** failures.json: one entry per failed unit step, from `error` records. */
import type { ErrorRecord } from '@clara/shared/records'
import { byUnitThen } from './unit-id.js'

export interface Failure {
  unit: string
  /** the step that failed: the error record's `during` */
  step: string
  message: string
  code?: string
  /** the file or sub-item, when it is more precise than the unit */
  item?: string
}

export interface FailuresDoc {
  version: 1
  domain: string
  generated_at: string
  failures: Failure[]
}

/** The failure an `error` record stands for. */
export function failureOf(rec: ErrorRecord): Failure {
  const unit = String(rec.unit ?? rec.item ?? '')
  const f: Failure = { unit, step: String(rec.during ?? 'unknown'), message: String(rec.message ?? '') }
  if (rec.code !== undefined) f.code = String(rec.code)
  if (rec.item !== undefined && String(rec.item) !== unit) f.item = String(rec.item)
  return f
}

export const sortFailures = (fs: Failure[]): Failure[] => [...fs].sort(byUnitThen((f) => f.step))

export function failuresDoc(domain: string, failures: Failure[], now: Date): FailuresDoc {
  return { version: 1, domain, generated_at: now.toISOString(), failures: sortFailures(failures) }
}
