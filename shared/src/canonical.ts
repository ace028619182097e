/**
 * Canonical text forms of column values, so that a table hashes the same on any host
 * (session time zone, driver parsing, JSON key order and numeric scale do not matter).
 */

/** What a column holds, as far as hashing is concerned. */
export type ValueKind = 'int' | 'num' | 'bool' | 'ts' | 'date' | 'json' | 'bytes' | 'text'

/** Map an engine's declared type to a kind. `sqlite` uses SQLite's affinity rules plus Django's names. */
export function kindOf(engine: 'sqlite' | 'postgres' | 'mysql', dataType: string, columnType = ''): ValueKind {
  const t = dataType.toLowerCase()
  if (t.endsWith('[]') || t === 'array') return 'text'
  if (engine === 'mysql' && /^tinyint\(1\)/i.test(columnType)) return 'bool'
  if (/^bool/.test(t)) return 'bool'
  if (/int/.test(t) && !/interval|point/.test(t)) return 'int'
  if (/^(numeric|decimal|real|float|double)/.test(t)) return 'num'
  if (/^(timestamp|datetime)/.test(t)) return 'ts'
  if (t === 'date') return 'date'
  if (/^jsonb?$/.test(t)) return 'json'
  if (/^(bytea|blob|binary|varbinary|tinyblob|mediumblob|longblob)/.test(t)) return 'bytes'
  return 'text'
}

/** Strip a decimal string to its shortest exact form: `10.50` → `10.5`, `-0.0` → `0`. */
export function canonicalDecimal(s: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s.trim())
  if (!m) return s.trim()
  const int = m[2].replace(/^0+(?=\d)/, '') || '0'
  const frac = (m[3] ?? '').replace(/0+$/, '')
  const out = frac ? `${int}.${frac}` : int
  return out === '0' ? '0' : `${m[1] === '-' ? '-' : ''}${out}`
}

/**
 * A timestamp as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds). Text without an offset
 * is taken as UTC (Django stores UTC; SQLite has no time zone).
 */
export function canonicalTimestamp(v: unknown): string {
  if (v instanceof Date) return v.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
  const s = String(v).trim()
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i.exec(s)
  if (!m) return s
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', tz] = m
  let offsetMin = 0
  if (tz && tz.toUpperCase() !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1
    const digits = tz.slice(1).replace(':', '')
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0))
  }
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi) - offsetMin, Number(sec))
  const iso = new Date(ms).toISOString().slice(0, 19)
  return `${iso}.${(frac + '000000').slice(0, 6)}Z`
}

/** Sort object keys recursively (arrays keep their order). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(v as object).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k])
    return out
  }
  return v
}

/** JSON with sorted keys; text that is not JSON stays as it is. */
export function canonicalJson(v: unknown): string {
  if (typeof v !== 'string' && !Buffer.isBuffer(v)) return JSON.stringify(sortKeys(v))
  try {
    return JSON.stringify(sortKeys(JSON.parse(String(v))))
  } catch {
    return String(v)
  }
}

function asText(v: unknown): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8')
  if (v instanceof Date) return canonicalTimestamp(v)
  // a driver that parsed a JSON column for us (mysql2) hands over objects
  if (typeof v === 'object') return canonicalJson(v)
  return String(v)
}

/** The canonical text of one value of a column of kind `kind`; SQL NULL stays `null`. */
export function canonicalValue(kind: ValueKind, v: unknown): string | null {
  if (v === null || v === undefined) return null
  switch (kind) {
    case 'int':
      return typeof v === 'number' && !Number.isInteger(v) ? String(v) : canonicalDecimal(String(v))
    case 'num':
      return typeof v === 'number' ? (Object.is(v, -0) ? '0' : String(v)) : canonicalDecimal(asText(v))
    case 'bool':
      return ['1', 't', 'true', 'y', 'yes', 'on'].includes(asText(v).toLowerCase()) ? 'true' : 'false'
    case 'ts':
      return canonicalTimestamp(v)
    case 'date':
      return v instanceof Date ? v.toISOString().slice(0, 10) : asText(v).slice(0, 10)
    case 'json':
      return canonicalJson(v)
    case 'bytes':
      return Buffer.isBuffer(v) ? v.toString('hex') : asText(v).toLowerCase().replace(/^\\x/, '')
    default:
      return asText(v)
  }
}
