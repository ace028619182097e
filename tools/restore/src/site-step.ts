/**
 * After the units are in: what a migrated site needs beyond its files (issue 14 items 2, 5, 6):
 * the content zips C-LARA serves for download, rebuilt; `clara_app/config.ini` merged with the
 * checkout's own; the old root inside the pickled texts rewritten. Each one is reported under
 * `site` in restore_report.json; a failure is listed in `units.failed` (domain `site`, code
 * `ESITE`: the restore is partial, exit 1) and as a warning, and the rest goes on.
 */
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs'
import path from 'node:path'
import { writeFileAtomic } from '@clara/shared/atomic'
import type { Logger } from '@clara/shared/log'
import { CONTENT_FOLDER } from '@clara/clara-model/data-folders'
import { MEDIA_ROOTS } from '@clara/clara-model/media-roots'
import { PICKLE_FILES } from '@clara/clara-model/pickles'
import { mergeConfigFile } from './config-merge.js'
import { rebuildContentZips } from './content-zip.js'
import type { StateDir } from './markers.js'
import type { RootSet } from './old-roots.js'
import { rewritePickle } from './pickle.js'
import type { Report } from './report.js'

/** `clara_app/config.ini`, relative to the root (the media unit that restores it). */
export const CONFIG_INI = MEDIA_ROOTS.find((m) => m.unit === 'app_config')!.path

/**
 * The checkout's own config.ini: the one that was at NEWCLARA before the restore put the
 * backup's in its place (moved aside, never deleted), else the --app-dir checkout's.
 */
export function checkoutConfig(to: string, appDir: string | null, state: StateDir): string | null {
  const aside = state.aside(CONFIG_INI).toString()
  if (existsSync(aside)) return aside
  if (appDir && path.resolve(appDir) !== path.resolve(to)) {
    const f = path.join(appDir, CONFIG_INI)
    if (existsSync(f)) return f
  }
  return null
}

export interface PickleResult {
  files: number
  /** `clara_content/<iid>/<file>`: strings rewritten */
  rewritten: Record<string, number>
  failed: { file: string; message: string }[]
}

/**
 * Rewrite the old-root paths inside every project's pickled texts (see @clara/clara-model/pickles
 * for why C-LARA needs them), in place: atomically, mode and mtime kept (C-LARA compares mtimes).
 */
export async function rewritePickles(to: string, roots: RootSet): Promise<PickleResult> {
  const out: PickleResult = { files: 0, rewritten: {}, failed: [] }
  let projects: string[] = []
  try {
    projects = readdirSync(path.join(to, CONTENT_FOLDER)).sort()
  } catch {
    return out
  }
  for (const p of projects) {
    for (const name of PICKLE_FILES) {
      const rel = `${CONTENT_FOLDER}/${p}/${name}`
      const file = path.join(to, rel)
      let st
      try {
        st = statSync(file)
      } catch {
        continue
      }
      if (!st.isFile()) continue
      out.files++
      try {
        const r = rewritePickle(readFileSync(file), (s) => roots.rewrite(s)?.value ?? null)
        if (!r.changed.length) continue
        const folder = statSync(path.dirname(file))
        await writeFileAtomic(file, r.data, { mode: st.mode & 0o7777, mtime: st.mtime })
        utimesSync(path.dirname(file), folder.atime, folder.mtime) // the rename touched the project folder: its restored mtime back
        out.rewritten[rel] = r.changed.length
      } catch (err) {
        out.failed.push({ file: rel, message: (err as Error).message })
      }
    }
  }
  return out
}

export async function repairSite(to: string, appDir: string | null, roots: RootSet, state: StateDir, report: Report, log: Logger): Promise<void> {
  // a failure here is the restore's failure too: listed with the units' (status partial, exit 1) and as a warning record
  const warn = (item: string, msg: string) => {
    log.error(item, msg)
    report.warnings.push(`${item}: ${msg}`)
    report.units.failed.push({ domain: 'site', unit: item, reason: msg, code: 'ESITE' })
  }
  const zips = await rebuildContentZips(to)
  report.site.content_zips = zips
  for (const f of zips.failed) warn(f.zip, `content zip not rebuilt: ${f.message}`)
  if (zips.built.length) log.info(`${zips.built.length} content zip(s) rebuilt`)

  const restored = path.join(to, CONFIG_INI)
  const checkout = checkoutConfig(to, appDir, state)
  if (!existsSync(restored)) report.site.config_ini = { merged: false, reason: 'the run restored no config.ini' }
  else if (!checkout) report.site.config_ini = { merged: false, reason: "no checkout config.ini to merge with: the backup's is used as it is" }
  else {
    try {
      const m = await mergeConfigFile(restored, checkout)
      report.site.config_ini = { merged: true, checkout, ...m }
      if (m.kept_sections.length || m.kept_options.length) log.info(`config.ini: kept ${m.kept_sections.length} section(s) and ${m.kept_options.length} option(s) only the checkout has`)
    } catch (err) {
      report.site.config_ini = { merged: false, error: (err as Error).message }
      warn(CONFIG_INI, `not merged: ${(err as Error).message}`)
    }
  }

  const pk = await rewritePickles(to, roots)
  report.site.pickles = pk
  for (const f of pk.failed) warn(f.file, `old-root paths not rewritten: ${f.message}`)
}
