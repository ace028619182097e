/**
 * Keep some columns of some tables while a dump's SQL text goes past line by line, without
 * loading the dump. The format readers (`pg-copy-text.ts`, `sql-inserts.ts`) extend it.
 */
import { StringDecoder } from 'node:string_decoder'

/** The rows kept of one table: values as text or null, in `columns` order. */
export interface TableRows {
  columns: string[]
  rows: (string | null)[][]
}

/** Table → the columns to keep (an empty list keeps every column, in the table's own order). */
export type WantedColumns = Map<string, string[]>

/** Collects the wanted columns of the wanted tables; `line` is fed one line at a time. */
export abstract class RowCollector {
  protected out = new Map<string, TableRows>()
  /** table → positions of the kept columns in the current statement's column order (-1: absent) */
  private pick = new Map<string, number[]>()

  constructor(protected wanted: WantedColumns) {}

  abstract line(l: string): void

  /** A table's data starts with these columns; false when the table is not wanted. */
  protected begin(table: string, columns: string[]): boolean {
    const want = this.wanted.get(table)
    if (!want) return false
    const keep = want.length ? want : columns
    this.pick.set(table, keep.map((c) => columns.indexOf(c)))
    if (!this.out.has(table)) this.out.set(table, { columns: keep, rows: [] })
    return true
  }

  /** Whether `begin` accepted the table. */
  protected wants(table: string): boolean {
    return this.pick.has(table)
  }

  /** Keep one row given as the table's fields; `decode` turns a kept field into its value. */
  protected keep<F>(table: string, fields: F[], decode: (f: F) => string | null): void {
    const row = this.pick.get(table)!.map((i) => (i < 0 || fields[i] === undefined ? null : decode(fields[i])))
    this.out.get(table)!.rows.push(row)
  }

  /** Every wanted table the text held (an empty one too), by name. */
  result(): Map<string, TableRows> {
    return this.out
  }
}

/** Feed byte or text chunks to a collector line by line (`\n` or `\r\n` endings, UTF-8). */
export function lineFeeder(c: RowCollector): { chunk(b: Buffer | string): void; end(): void } {
  let carry = ''
  const dec = new StringDecoder('utf8')
  const line = (l: string) => c.line(l.endsWith('\r') ? l.slice(0, -1) : l)
  return {
    chunk(b) {
      const parts = (carry + (typeof b === 'string' ? b : dec.write(b))).split('\n')
      carry = parts.pop()!
      for (const p of parts) line(p)
    },
    end() {
      carry += dec.end()
      if (carry) line(carry)
      carry = ''
    },
  }
}
