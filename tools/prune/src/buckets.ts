/** Calendar buckets for retention: the UTC day and the ISO 8601 week of a run's time. */

/** `2026-11-27` */
export function utcDay(t: Date): string {
  return t.toISOString().slice(0, 10)
}

/** `2026-W48`: ISO weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(t: Date): string {
  const d = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()))
  const dow = d.getUTCDay() || 7 // Monday 1 … Sunday 7
  d.setUTCDate(d.getUTCDate() + 4 - dow) // the Thursday of this week decides the year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7)
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

/** Parse `48h`, `7d`, `90m` or a bare number of hours into milliseconds; null when malformed. */
export function parseAge(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([mhdw]?)$/.exec(s.trim())
  if (!m) return null
  const unit = { m: 60_000, h: 3_600_000, '': 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | '' | 'd' | 'w']
  return Number(m[1]) * unit
}
