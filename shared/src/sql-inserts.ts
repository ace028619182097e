/**
 * Rows from a mysqldump `.sql` file: column names from each `CREATE TABLE`, values from its
 * `INSERT INTO` statements, whether a statement sits on one line (mysqldump) or has one tuple per
 * line (MariaDB's), with or without a column list. Values: MySQL string escapes, NULL, numbers,
 * `0x…` (`--hex-blob`, read as UTF-8) and `_binary '…'` literals.
 */
import { RowCollector } from './row-collector.js'

const ESC: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' }
const PLAIN = /[^'\\]*/y
const BARE = /[^,)\s]+/y
const INTRODUCER = /_[A-Za-z0-9]+\s*(?=')/y

/** A quoted string starting at `s[i]` (the quote): its value and the index after it. */
function quoted(s: string, i: number): [string, number] {
  let v = ''
  for (i++; ; ) {
    PLAIN.lastIndex = i
    const run = PLAIN.exec(s)![0]
    v += run
    i += run.length
    if (i >= s.length) return [v, i]
    if (s[i] === "'") return [v, i + 1]
    if (i + 1 >= s.length) return [v + '\\', i + 1]
    v += ESC[s[i + 1]] ?? s[i + 1]
    i += 2
  }
}

/** An unquoted literal: NULL, a number, a hex literal. */
function bare(m: string): string | null {
  if (m.toUpperCase() === 'NULL') return null
  if (/^0x[0-9a-f]*$/i.test(m)) return Buffer.from(m.slice(2), 'hex').toString('utf8')
  return m
}

/** Parse `(v, v, …),(…)` tuples from `s` starting at `start`, up to a `;` between tuples; values as text or null. */
export function parseTuples(s: string, start = 0): (string | null)[][] {
  const rows: (string | null)[][] = []
  let row: (string | null)[] | null = null
  for (let i = start; i < s.length; ) {
    const c = s[i]
    if (!row) {
      if (c === ';') break
      if (c === '(') row = []
      i++
    } else if (c === ')') {
      rows.push(row)
      row = null
      i++
    } else if (c === "'") {
      const [v, next] = quoted(s, i)
      row.push(v)
      i = next
    } else if (c === ',' || /\s/.test(c)) {
      i++
    } else {
      INTRODUCER.lastIndex = BARE.lastIndex = i
      const intro = INTRODUCER.exec(s)
      if (intro) {
        i += intro[0].length
        continue
      }
      const m = BARE.exec(s)![0]
      row.push(bare(m))
      i += m.length
    }
  }
  return rows
}

const ident = (s: string) => s.replace(/``/g, '`')
const INSERT = /^INSERT INTO `((?:[^`]|``)+)`\s*(?:\(([^)]*)\)\s*)?VALUES\s*/

/** Rows of the wanted tables from a mysqldump file's CREATE TABLE and INSERT statements. */
export class MysqlCollector extends RowCollector {
  /** the table whose CREATE TABLE is being read, and its columns so far */
  private creating: { table: string; columns: string[] } | null = null
  /** the table of an INSERT statement that goes on over the next lines */
  private inserting: string | null = null

  line(l: string): void {
    if (this.creating) return this.createLine(l)
    const ins = this.inserting ? null : INSERT.exec(l)
    const into = ins ? ident(ins[1]) : this.inserting
    if (!into) {
      const ct = /^CREATE TABLE `((?:[^`]|``)+)`/.exec(l)
      if (ct) this.creating = { table: ident(ct[1]), columns: [] }
      return
    }
    if (ins?.[2]) this.begin(into, ins[2].split(',').map((c) => ident(c.trim().replace(/^`|`$/g, ''))))
    this.inserting = /;\s*$/.test(l) ? null : into
    if (this.wants(into)) for (const row of parseTuples(l, ins ? ins[0].length : 0)) this.keep(into, row, (v) => v)
  }

  private createLine(l: string): void {
    const col = /^\s*`((?:[^`]|``)+)`\s/.exec(l)
    if (col) this.creating!.columns.push(ident(col[1]))
    else if (/^\)/.test(l)) {
      this.begin(this.creating!.table, this.creating!.columns)
      this.creating = null
    }
  }
}
