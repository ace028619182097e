/**
 * Rows from a mysqldump `.sql` file: column names from each `CREATE TABLE`, values from its
 * `INSERT INTO` statements (MySQL string escapes, NULL, numbers, 0x… and _binary literals).
 */
import { createReadStream } from 'node:fs'
import readline from 'node:readline'
import type { CopyBlock } from './copy-text.js'

const ESC: Record<string, string> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a' }

/** Parse `(v, …),(…)` tuples starting at `i`; returns rows as text or null. */
export function parseTuples(s: string, i = 0): (string | null)[][] {
  const rows: (string | null)[][] = []
  let row: (string | null)[] | null = null
  while (i < s.length) {
    const c = s[i]
    if (c === '(' && !row) {
      row = []
      i++
    } else if (c === ')' && row) {
      rows.push(row)
      row = null
      i++
    } else if (c === "'" && row) {
      let out = ''
      for (i++; i < s.length && s[i] !== "'"; i++) {
        if (s[i] === '\\' && i + 1 < s.length) out += ESC[s[++i]] ?? s[i]
        else out += s[i]
      }
      row.push(out)
      i++
    } else if (row && /[^\s,]/.test(c)) {
      const m = /^(?:_binary\s*)?[^,)\s]+/.exec(s.slice(i, i + 4096))![0]
      if (m === 'NULL') row.push(null)
      else if (/^0x[0-9a-f]*$/i.test(m)) row.push(Buffer.from(m.slice(2), 'hex').toString('utf8'))
      else row.push(m)
      i += m.length
    } else i++
  }
  return rows
}

const ident = (s: string) => s.replace(/^`|`$/g, '').replace(/``/g, '`')

/** Add one INSERT statement's rows to its table (when wanted). */
function insert(out: Map<string, CopyBlock>, want: Set<string>, stmt: string): void {
  const ins = /^INSERT INTO `((?:[^`]|``)+)`\s*(\(([^)]*)\)\s*)?VALUES\s*/.exec(stmt)
  if (!ins || !want.has(ident(ins[1]))) return
  const block = out.get(ident(ins[1])) ?? { table: ident(ins[1]), columns: [], rows: [] }
  out.set(block.table, block)
  if (ins[3]) block.columns = ins[3].split(',').map((c) => ident(c.trim()))
  block.rows.push(...parseTuples(stmt, ins[0].length))
}

/** Read the wanted tables' rows from a dump, streaming it line by line. */
export async function readSqlDump(file: string, tables: string[]): Promise<Map<string, CopyBlock>> {
  const want = new Set(tables)
  const out = new Map<string, CopyBlock>()
  let creating: CopyBlock | null = null
  /** an INSERT statement spread over lines (MariaDB puts each tuple on its own line) */
  let pending: string[] | null = null
  const rl = readline.createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  for await (const line of rl) {
    if (pending) {
      pending.push(line)
      if (line.trimEnd().endsWith(';')) {
        insert(out, want, pending.join('\n'))
        pending = null
      }
      continue
    }
    if (creating) {
      const col = /^\s*`((?:[^`]|``)+)`\s/.exec(line)
      if (col) creating.columns.push(ident(col[1]))
      else if (/^\)/.test(line)) creating = null
      continue
    }
    const ct = /^CREATE TABLE `((?:[^`]|``)+)`/.exec(line)
    if (ct && want.has(ident(ct[1]))) {
      creating = { table: ident(ct[1]), columns: [], rows: [] }
      out.set(creating.table, creating)
    } else if (/^INSERT INTO `/.test(line)) {
      if (line.trimEnd().endsWith(';')) insert(out, want, line)
      else pending = [line]
    }
  }
  return out
}
