/**
 * Issue 14 item 5: the backup's `clara_app/config.ini` restored over a checkout whose code expects
 * more sections breaks it (`NoSectionError: tts` from `manage.py check`). The two files are merged:
 * every value the backup has wins; sections and options only the checkout's own file has are kept.
 * The backup's text stays as it is (its comments and layout); the checkout's extra options are
 * added at the end of their section, its extra sections at the end of the file. The result is
 * parsed again and must give exactly the merged values, or nothing is written.
 */
import { readFileSync, statSync } from 'node:fs'
import { writeFileAtomic } from '@clara/shared/atomic'
import { iniValues, parseIni, renderOption, type IniFile } from './config-ini.js'

export interface ConfigMerge {
  /** options the backup sets (`section.option`), with those whose value differs from the checkout's listed apart */
  from_backup: string[]
  overridden: string[]
  /** kept from the checkout: whole sections, and options of sections both have */
  kept_sections: string[]
  kept_options: string[]
}

/** Merge two INI texts: `backup` wins, what only `checkout` has is added. */
export function mergeIni(backupText: string, checkoutText: string): { text: string; merge: ConfigMerge } {
  const backup = parseIni(backupText)
  const checkout = parseIni(checkoutText)
  const merge: ConfigMerge = { from_backup: [], overridden: [], kept_sections: [], kept_options: [] }
  const lines = [...backup.lines]
  // insertions into the backup's sections, from the bottom up so earlier line numbers stay valid
  const inserts: { at: number; lines: string[] }[] = []
  const appended: string[] = []
  for (const [name, sec] of backup.sections) {
    const theirs = checkout.sections.get(name)
    for (const [k, o] of sec.options) {
      merge.from_backup.push(`${name}.${k}`)
      const other = theirs?.options.get(k)
      if (other && other.value !== o.value) merge.overridden.push(`${name}.${k}`)
    }
    if (!theirs) continue
    const extra = [...theirs.options.values()].filter((o) => !sec.options.has(o.name))
    if (!extra.length) continue
    const at = Math.max(sec.header + 1, ...[...sec.options.values()].map((o) => o.end))
    inserts.push({ at, lines: extra.flatMap((o) => renderOption(o.raw, o.value)) })
    merge.kept_options.push(...extra.map((o) => `${name}.${o.name}`))
  }
  for (const [name, sec] of checkout.sections) {
    if (backup.sections.has(name)) continue
    merge.kept_sections.push(name)
    appended.push('', `[${name}]`, ...[...sec.options.values()].flatMap((o) => renderOption(o.raw, o.value)))
  }
  for (const ins of inserts.sort((a, b) => b.at - a.at)) lines.splice(ins.at, 0, ...ins.lines)
  const text = [...lines, ...appended].join('\n').replace(/^\n+/, '') + '\n'
  check(text, backup, checkout)
  return { text, merge }
}

/** The merged text must parse to: every backup value, plus every checkout value the backup lacks. */
function check(text: string, backup: IniFile, checkout: IniFile): void {
  const got = iniValues(parseIni(text))
  const want = iniValues(checkout)
  for (const [s, opts] of iniValues(backup)) want.set(s, new Map([...(want.get(s) ?? []), ...opts]))
  const flat = (m: Map<string, Map<string, string>>) => JSON.stringify([...m].map(([s, o]) => [s, [...o].sort()]).sort())
  if (flat(got) !== flat(want)) throw new Error('the merged file would not read back as the merge (an unusual layout of the backup\'s file)')
}

/**
 * Merge `checkoutFile` into the restored `restoredFile` (the backup's copy) and write the result in
 * its place, atomically, keeping its mode. Throws with a one-line reason (a file that does not
 * parse, named) and leaves the restored file as it was.
 */
export async function mergeConfigFile(restoredFile: string, checkoutFile: string): Promise<ConfigMerge> {
  const read = (f: string, what: string) => {
    try {
      return readFileSync(f, 'utf8')
    } catch (err) {
      throw new Error(`${what} ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
  }
  const backupText = read(restoredFile, "the backup's config.ini")
  const checkoutText = read(checkoutFile, "the checkout's config.ini")
  let merged
  try {
    parseIni(checkoutText)
  } catch (err) {
    throw new Error(`the checkout's config.ini ${checkoutFile} does not parse: ${(err as Error).message}`)
  }
  try {
    merged = mergeIni(backupText, checkoutText)
  } catch (err) {
    throw new Error(`the backup's config.ini ${restoredFile} cannot be merged: ${(err as Error).message}`)
  }
  if (merged.text !== backupText) await writeFileAtomic(restoredFile, merged.text, { mode: statSync(restoredFile).mode & 0o7777 })
  return merged.merge
}
