/**
 * PostgreSQL's COPY text format, as `pg_restore --data-only -f -` prints it: a
 * `COPY table (col, …) FROM stdin;` line, tab-separated rows, `\N` for null, backslash escapes,
 * and `\.` to end the data.
 */

export interface CopyBlock {
  table: string
  columns: string[]
  rows: (string | null)[][]
}

const SIMPLE: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 }

/** One field: `\N` is null; escapes give bytes, read as UTF-8. */
export function decodeField(f: string): string | null {
  if (f === '\\N') return null
  if (!f.includes('\\')) return f
  const bytes: number[] = []
  for (let i = 0; i < f.length; i++) {
    const c = f[i]
    if (c !== '\\' || i + 1 >= f.length) {
      bytes.push(...Buffer.from(c, 'utf8'))
      continue
    }
    const n = f[++i]
    if (n in SIMPLE) bytes.push(SIMPLE[n])
    else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(f.slice(i))![0]
      bytes.push(parseInt(m, 8) & 0xff)
      i += m.length - 1
    } else if (n === 'x' && /[0-9a-fA-F]/.test(f[i + 1] ?? '')) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(f.slice(i + 1))![0]
      bytes.push(parseInt(m, 16))
      i += m.length
    } else bytes.push(...Buffer.from(n, 'utf8'))
  }
  return Buffer.from(bytes).toString('utf8')
}

function unquote(name: string): string {
  const t = name.trim()
  return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t
}

/** Every COPY block of the text (one per table dumped). */
export function parseCopy(text: string): CopyBlock[] {
  const blocks: CopyBlock[] = []
  let cur: CopyBlock | null = null
  for (const line of text.split('\n')) {
    if (cur) {
      if (line === '\\.') {
        blocks.push(cur)
        cur = null
      } else cur.rows.push(line.split('\t').map(decodeField))
      continue
    }
    const m = /^COPY\s+(.+?)\s*\((.*)\)\s+FROM\s+stdin;$/.exec(line)
    if (m) {
      const table = unquote(m[1].split('.').pop()!)
      cur = { table, columns: m[2].split(',').map(unquote), rows: [] }
    }
  }
  return blocks
}
