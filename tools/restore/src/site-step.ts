/**
 * After the units are in: what a migrated site needs beyond its files (issue 14 items 2, 5, 6):
 * the content zips C-LARA serves for download, rebuilt; `clara_app/config.ini` merged with the
 * checkout's own; and the pickled texts that could not be migrated in their stage. Each one is reported under
 * `site` in restore_report.json; a failure is listed in `units.failed` (domain `site`, code
 * `ESITE`: the restore is partial, exit 1) and as a warning, and the rest goes on.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Logger } from '@clara/shared/log'
import { MEDIA_ROOTS } from '@clara/clara-model/media-roots'
import { mergeConfigFile } from './config-merge.js'
import { rebuildContentZips, type ZipOutcome } from './content-zip.js'
import type { StateDir } from './markers.js'
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

/** `early`: the content zips already dealt with while the units restored (units-step.ts); `trustZips` false: fresh ones rebuilt too. */
export async function repairSite(to: string, appDir: string | null, state: StateDir, report: Report, log: Logger, early?: Map<string, ZipOutcome>, trustZips = true): Promise<void> {
  // a failure here is the restore's failure too: listed with the units' (status partial, exit 1) and as a warning record
  const warn = (item: string, msg: string) => {
    log.error(item, msg)
    report.warnings.push(`${item}: ${msg}`)
    report.units.failed.push({ domain: 'site', unit: item, reason: msg, code: 'ESITE' })
  }
  const zips = await rebuildContentZips(to, early, trustZips)
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

  // the pickled texts were migrated in their units' stages (staged-pickle.ts): a failure there is reported here
  for (const f of report.site.pickles.failed) warn(f.file, `old-root paths not rewritten: ${f.message}`)
}
