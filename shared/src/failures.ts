/**
 * The entries of a domain's `failures.json`: one per failed unit step, made from an `error` record.
 * clara-index writes the file; clara-backup adds the error records of tools that write none.
 */
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

/** The failure an `error` record stands for (`fallback` names the unit when the record names none). */
export function failureOf(rec: { unit?: unknown; item?: unknown; during?: unknown; message?: unknown; code?: unknown }, fallback = ''): Failure {
  const unit = String(rec.unit ?? rec.item ?? fallback)
  const f: Failure = { unit, step: String(rec.during ?? 'unknown'), message: String(rec.message ?? '') }
  if (rec.code !== undefined) f.code = String(rec.code)
  if (rec.item !== undefined && String(rec.item) !== unit) f.item = String(rec.item)
  return f
}
