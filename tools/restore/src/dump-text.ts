import { StringDecoder } from 'node:string_decoder'

/**
 * Read table rows out of a dump's SQL text without loading it: PostgreSQL COPY blocks
 * (`pg_restore --data-only -f -`) and mysqldump's extended INSERTs. Generic: no schema knowledge.
 */

export interface TableRows {
  columns: string[]
  rows: (string | null)[][]
}

const COPY_ESC: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' }

/** One field of COPY's text format (`\N` = NULL). */
export function copyField(f: string): string | null {
  if (f === '\\N') return null
  return f.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16))
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8))
    return COPY_ESC[e] ?? e
  })
}

const unquote = (id: string) => (id.startsWith('"') ? id.slice(1, -1).replace(/""/g, '"') : id)

/** Keeps the wanted columns of some tables from a dump read line by line. */
export abstract class RowCollector {
  protected out = new Map<string, TableRows>()
  /** table → positions of the wanted columns in the table's own column order */
  protected pick = new Map<string, number[]>()
  protected current: string | null = null

  constructor(protected wanted: Map<string, string[]>) {}

  abstract line(l: string): void

  protected begin(table: string, columns: string[]): void {
    const want = this.wanted.get(table)
    this.current = want ? table : null
    if (!want) return
    this.pick.set(table, want.map((c) => columns.indexOf(c)))
    if (!this.out.has(table)) this.out.set(table, { columns: want, rows: [] })
  }

  protected keep(table: string, row: (string | null)[]): void {
    this.out.get(table)!.rows.push(this.pick.get(table)!.map((i) => (i < 0 ? null : row[i] ?? null)))
  }

  result(): Map<string, TableRows> {
    return this.out
  }
}

/** COPY blocks of `pg_restore -f -` output. */
export class CopyCollector extends RowCollector {
  private inCopy = false
  line(l: string): void {
    if (this.inCopy) {
      if (l === '\\.') this.inCopy = false
      else if (this.current) this.keep(this.current, l.split('\t').map(copyField))
      return
    }
    const m = /^COPY\s+(?:(?:"[^"]+"|\w+)\.)?("(?:[^"]|"")+"|\w+)\s*\((.*)\)\s+FROM\s+stdin;$/.exec(l)
    if (!m) return
    this.inCopy = true
    this.begin(unquote(m[1]), m[2].split(',').map((c) => unquote(c.trim())))
  }
}

const MY_ESC: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' }

/** Parse `(v, v, …),(…)` tuples from `s` starting at `i`; values are strings or null (numbers as text). */
export function parseTuples(s: string, start = 0): (string | null)[][] {
  const rows: (string | null)[][] = []
  let i = start
  let row: (string | null)[] | null = null
  while (i < s.length) {
    const c = s[i]
    if (c === '(' && !row) {
      row = []
      i++
    } else if (c === "'") {
      let v = ''
      for (i++; i < s.length && s[i] !== "'"; i++) {
        if (s[i] === '\\') v += MY_ESC[s[++i]] ?? s[i]
        else v += s[i]
      }
      i++
      row!.push(v)
    } else if (c === ')' && row) {
      rows.push(row)
      row = null
      i++
    } else if (c === ',' || c === ' ' || c === '\n') {
      i++
    } else if (c === ';' && !row) {
      break
    } else {
      const m = /^[^,)]+/.exec(s.slice(i, i + 200))!
      row!.push(m[0].trim().toUpperCase() === 'NULL' ? null : m[0].trim())
      i += m[0].length
    }
  }
  return rows
}

/** CREATE TABLE column lists and extended INSERTs of a mysqldump file. */
export class MysqlCollector extends RowCollector {
  private columns: string[] = []
  private table: string | null = null
  private inserting: string | null = null
  line(l: string): void {
    const create = /^CREATE TABLE `((?:[^`]|``)+)`/.exec(l)
    if (create) {
      this.table = create[1].replace(/``/g, '`')
      this.columns = []
      return
    }
    const col = this.table && /^\s+`((?:[^`]|``)+)`\s/.exec(l)
    if (col) this.columns.push(col[1].replace(/``/g, '`'))
    if (this.table && /^\)/.test(l)) {
      this.begin(this.table, this.columns)
      this.table = null
    }
    // mysqldump writes `INSERT … VALUES (…),(…);` on one line; MariaDB's writes one tuple per line after it
    const ins = /^INSERT INTO `((?:[^`]|``)+)` VALUES ?/.exec(l)
    const into = ins ? ins[1] : this.inserting
    if (!into) return
    this.inserting = /;\s*$/.test(l) ? null : into
    if (this.out.has(into)) for (const row of parseTuples(l, ins ? ins[0].length : 0)) this.keep(into, row)
  }
}

/** Feed text chunks to a collector line by line. */
export function lineFeeder(c: RowCollector): { chunk(b: Buffer | string): void; end(): void } {
  let carry = ''
  const dec = new StringDecoder('utf8')
  return {
    chunk(b) {
      const parts = (carry + (typeof b === 'string' ? b : dec.write(b))).split('\n')
      carry = parts.pop()!
      for (const p of parts) c.line(p)
    },
    end() {
      carry += dec.end()
      if (carry) c.line(carry)
      carry = ''
    },
  }
}
