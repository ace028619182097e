/** Read variable assignments out of shell/dotenv files and systemd units (no expansion, no execution). */
import { pemSpans } from '@clara/shared/redact-patterns'

export interface Assignment {
  name: string
  value: string
}

const LINE_HEAD = /^[ \t]*(?:export[ \t]+|declare[ \t]+-x[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=/gm

/** Parse one shell word starting at `pos`: quoted ('…', "…" with escapes) or bare. */
function shellWord(text: string, pos: number): { value: string; end: number } {
  const q = text[pos]
  if (q === "'") {
    const end = text.indexOf("'", pos + 1)
    if (end !== -1) return { value: text.slice(pos + 1, end), end: end + 1 }
  } else if (q === '"') {
    let out = ''
    for (let i = pos + 1; i < text.length; i++) {
      if (text[i] === '\\' && i + 1 < text.length) out += text[++i]
      else if (text[i] === '"') return { value: out, end: i + 1 }
      else out += text[i]
    }
  }
  const m = /^[^\s;#&|]*/.exec(text.slice(pos))
  return { value: (m?.[0] ?? '').replace(/^["']/, ''), end: pos + (m?.[0].length ?? 0) }
}

/** `NAME=value` and `export NAME=value` lines, in file order (later ones win when read as a map). */
export function parseEnvAssignments(text: string): Assignment[] {
  // a PEM body line can end in `=` and look like an assignment: blank the blocks out first
  for (const s of pemSpans(text)) text = text.slice(0, s.start) + ' '.repeat(s.end - s.start) + text.slice(s.end)
  const out: Assignment[] = []
  const re = new RegExp(LINE_HEAD.source, 'gm')
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const w = shellWord(text, m.index + m[0].length)
    out.push({ name: m[1], value: w.value })
    re.lastIndex = Math.max(re.lastIndex, w.end)
  }
  return out
}

/** Split a systemd `Environment=` value into its words (`"A=b c" D=e`). */
function unitWords(line: string): string[] {
  const words: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g
  for (const m of line.matchAll(re)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]))
  return words
}

/** The assignments of a unit's `Environment=` lines. */
export function unitEnvironment(unit: string): Assignment[] {
  const out: Assignment[] = []
  for (const m of unit.matchAll(/^[ \t]*Environment[ \t]*=(.*)$/gm)) {
    for (const w of unitWords(m[1])) {
      const eq = w.indexOf('=')
      if (eq > 0) out.push({ name: w.slice(0, eq), value: w.slice(eq + 1) })
    }
  }
  return out
}

/** The files named by a unit's `EnvironmentFile=` lines (a leading `-` means optional; dropped). */
export function unitEnvironmentFiles(unit: string): string[] {
  return [...unit.matchAll(/^[ \t]*EnvironmentFile[ \t]*=[ \t]*-?(\S+)/gm)].map((m) => m[1])
}
