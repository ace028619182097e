/**
 * PostgreSQL's COPY text format, as `pg_restore --data-only -f -` prints it: a
 * `COPY schema.table (col, …) FROM stdin;` line, tab-separated rows, `\N` for null, backslash
 * escapes, and `\.` to end the data.
 */
import { RowCollector } from './row-collector.js'

const SIMPLE: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 }

/** One field: `\N` is null; escapes (`\t`, `\\`, octal `\303`, hex `\xc3`) give bytes, read as UTF-8. */
export function copyField(f: string): string | null {
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

const NAME = '"(?:[^"]|"")+"|[^\\s."(]+'
const HEADER = new RegExp(`^COPY\\s+(?:(?:${NAME})\\.)?(${NAME})\\s*\\((.*)\\)\\s+FROM\\s+stdin;$`)

const unquote = (id: string) => (id.startsWith('"') ? id.slice(1, -1).replace(/""/g, '"') : id)

/** The table (schema dropped) and columns of a `COPY … FROM stdin;` line, or null for any other line. */
export function copyHeader(line: string): { table: string; columns: string[] } | null {
  const m = HEADER.exec(line)
  if (!m) return null
  return { table: unquote(m[1]), columns: (m[2].match(/"(?:[^"]|"")+"|[^,\s]+/g) ?? []).map(unquote) }
}

/** Rows of the wanted tables from the COPY blocks of `pg_restore -f -` output. */
export class CopyCollector extends RowCollector {
  /** undefined: outside a COPY block; null: inside the block of a table nobody wants */
  private table: string | null | undefined

  line(l: string): void {
    if (this.table !== undefined) {
      if (l === '\\.') this.table = undefined
      else if (this.table) this.keep(this.table, l.split('\t'), copyField)
      return
    }
    const h = copyHeader(l)
    if (h) this.table = this.begin(h.table, h.columns) ? h.table : null
  }
}
