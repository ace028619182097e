/** How index entries and failures are identified and ordered: numeric units are project ids. */

/**
 * The entry's id: the record's own `project_id` or `name` when it has one, else `project_id`
 * for a numeric unit (C-LARA project ids) and `name` for any other unit.
 */
export function unitId(unit: string, explicit: { project_id?: unknown; name?: unknown } = {}): { project_id: number } | { name: string } {
  if (typeof explicit.project_id === 'number' && Number.isSafeInteger(explicit.project_id)) return { project_id: explicit.project_id }
  if (typeof explicit.name === 'string' && explicit.name) return { name: explicit.name }
  if (/^\d{1,15}$/.test(unit)) return { project_id: Number(unit) }
  return { name: unit }
}

/** Numeric ids first, numerically; then names, by code point (locale-independent). */
export function compareUnits(a: string, b: string): number {
  const na = /^\d{1,15}$/.test(a)
  const nb = /^\d{1,15}$/.test(b)
  if (na && nb) return Number(a) - Number(b)
  if (na !== nb) return na ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

/** Compare by unit, then by a second key (the path of an entry, the step of a failure). */
export function byUnitThen<T extends { unit: string }>(second: (x: T) => string): (a: T, b: T) => number {
  return (a, b) => compareUnits(a.unit, b.unit) || (second(a) < second(b) ? -1 : second(a) > second(b) ? 1 : 0)
}
