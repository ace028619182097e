/**
 * JSON as Python's `json.dumps` writes it with its defaults (`ensure_ascii`): every character outside
 * ' '..'~' (DEL included) as a `\uXXXX` escape; with `indent`, one item a line and `": "` after keys,
 * without it `", "` and `": "` between items. Numbers are JavaScript's spelling (Python writes `1.0`
 * for a float that JavaScript writes `1`). For writing new files; restoring one that exists keeps
 * its own spelling (tools/restore/src/py-json.ts).
 */
export function pythonJson(value: unknown, indent?: number): string {
  return asciiEscape(indent === undefined ? compact(value) : JSON.stringify(value, null, indent))
}

function compact(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) return '[' + value.map(compact).join(', ') + ']'
  return '{' + Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${compact(v)}`).join(', ') + '}'
}

function asciiEscape(s: string): string {
  return s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}
