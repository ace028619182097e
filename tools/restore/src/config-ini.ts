/**
 * Python's configparser INI dialect, as C-LARA reads `clara_app/config.ini`
 * (`configparser.ConfigParser()` + `read()`, Python 3): the defaults of `RawConfigParser._read`.
 *
 * - A line whose stripped text starts with `#` or `;` is a comment (no inline comments).
 * - `[name]` (on the stripped line; `.+` up to the last `]`) opens a section; names are
 *   case-sensitive; `DEFAULT` is the defaults section.
 * - `option = value` or `option : value`: the option is everything before the FIRST `=` or `:`,
 *   right-stripped and lower-cased (optionxform); the value is stripped.
 * - A line indented deeper than its option's line continues the value; empty lines inside a value
 *   belong to it (empty_lines_in_values); a comment line inside a value is skipped. The value is
 *   the lines joined with `\n`, right-stripped.
 * - strict: a section or an option (per section) given twice is an error; so is an option line
 *   before any section, a line with no delimiter, and an empty option name.
 */

export interface IniOption {
  /** the name as configparser keys it (lower case) */
  name: string
  /** the name as written */
  raw: string
  value: string
  /** the lines it spans: [first, end) (its continuation lines included, trailing empty lines not) */
  first: number
  end: number
}

export interface IniSection {
  name: string
  /** the header line; -1 for none */
  header: number
  options: Map<string, IniOption>
}

export interface IniFile {
  lines: string[]
  sections: Map<string, IniSection>
}

export class IniError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`)
  }
}

const COMMENT = /^[#;]/
const SECTION = /^\[(?<header>.+)\]/
const OPTION = /^(?<option>.*?)\s*(?<vi>[=:])\s*(?<value>.*)$/
export const DEFAULT_SECTION = 'DEFAULT'
const optionxform = (s: string) => s.toLowerCase()

/** Python's str.strip() whitespace (close enough for config files: ASCII whitespace and the Unicode spaces JS knows). */
const strip = (s: string) => s.trim()

/** Parse INI text the way configparser does; throws IniError (with the 1-based line) where configparser would raise. */
export function parseIni(text: string): IniFile {
  // configparser reads lines with universal newlines
  const lines = text.split(/\r\n|\r|\n/)
  if (lines.length && lines[lines.length - 1] === '') lines.pop()
  const sections = new Map<string, IniSection>()
  let cur: IniSection | null = null
  let opt: IniOption | null = null
  let parts: string[] = []
  let indent = Number.MAX_SAFE_INTEGER
  const close = () => {
    if (opt) opt.value = parts.join('\n').replace(/\s+$/, '')
  }
  for (const [i, line] of lines.entries()) {
    const isComment = COMMENT.test(strip(line))
    const value = isComment ? '' : strip(line)
    if (!value) {
      // an empty line belongs to the value (only if the line had no comment); a comment line is skipped
      if (!isComment && cur && opt) parts.push('')
      continue
    }
    const lead = /\S/.exec(line)?.index ?? 0
    if (cur && opt && lead > indent) {
      parts.push(value)
      opt.end = i + 1
      continue
    }
    indent = lead
    const sec = SECTION.exec(value)
    if (sec) {
      close()
      opt = null
      const name = sec.groups!.header
      // strict, except for DEFAULT: configparser goes back to its defaults without complaint
      if (sections.has(name) && name !== DEFAULT_SECTION) throw new IniError(`section '${name}' already exists`, i + 1)
      cur = sections.get(name) ?? { name, header: i, options: new Map() }
      sections.set(name, cur)
      continue
    }
    if (!cur) throw new IniError('file contains no section headers', i + 1)
    const o = OPTION.exec(value)
    if (!o) throw new IniError(`not an option line (no '=' or ':'): ${JSON.stringify(line)}`, i + 1)
    const raw = o.groups!.option.replace(/\s+$/, '')
    if (!raw) throw new IniError(`an empty option name: ${JSON.stringify(line)}`, i + 1)
    const name = optionxform(raw)
    if (cur.options.has(name)) throw new IniError(`option '${name}' in section '${cur.name}' already exists`, i + 1)
    close()
    opt = { name, raw, value: '', first: i, end: i + 1 }
    parts = [strip(o.groups!.value)]
    cur.options.set(name, opt)
  }
  close()
  return { lines, sections }
}

/** An option as lines that parse back to the same value: continuation lines indented. */
export function renderOption(raw: string, value: string): string[] {
  const [head, ...rest] = value.split('\n')
  return [`${raw} = ${head}`, ...rest.map((l) => (l ? `    ${l}` : ''))]
}

/** The values of a parsed file: section → option → value. */
export function iniValues(f: IniFile): Map<string, Map<string, string>> {
  return new Map([...f.sections].map(([s, sec]) => [s, new Map([...sec.options].map(([k, o]) => [k, o.value]))]))
}
