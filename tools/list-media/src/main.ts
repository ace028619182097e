import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Io } from '@clara/shared/cli'
import { EXIT, UsageError } from '@clara/shared/cli'
import { parseArgs } from '@clara/shared/args'
import { RecordWriter } from '@clara/shared/ndjson'
import type { UnitRecord } from '@clara/shared/records'
import { MEDIA_EXCLUDES, MEDIA_ROOTS, type MediaRoot } from '@clara/clara-model/media-roots'

const USAGE = `$0 [--clara DIR]

List the global C-LARA data roots that are neither projects, legacy content nor the audio cache
(gloss images, prompt templates, phonetic orthography and lexicon, mediafiles, the retired
repositories, config.ini and the ReadSpeaker key) as unit records for clara-zip-unit (domain
"media", one unit per root). Absent roots are reported as warning records. Read-only.`

/** One unit record for a root that exists, or null. */
async function unitFor(clara: string, r: MediaRoot): Promise<UnitRecord | null> {
  const abs = path.join(clara, r.path)
  const st = await fsp.lstat(abs).catch(() => null)
  if (!st) return null
  const source = st.isDirectory()
    ? { dir: abs, prefix: '', exclude: MEDIA_EXCLUDES, restore_to: r.path }
    : { file: abs, path: path.basename(r.path), restore_to: r.path }
  return {
    type: 'unit',
    domain: 'media',
    unit: r.unit,
    archives: [{ name: 'media', sources: [source] }],
    metadata: { name: r.unit, root: r.path, note: r.note, ...(r.secret ? { secret: true } : {}) },
    ...(r.secret ? { secret: true } : {}),
  }
}

/** clara-list-media: the global media and configuration roots as unit records. */
export async function main(io: Io): Promise<number> {
  const opts = await parseArgs(io, {
    name: 'clara-list-media',
    usage: USAGE,
    build: (y) => y.option('clara', { type: 'string', describe: 'the C-LARA root (env CLARA)' }),
  })
  if (!opts) return EXIT.OK
  const root = opts.clara ?? io.env.CLARA
  if (!root) throw new UsageError('--clara DIR (or env CLARA) is required')
  const clara = path.resolve(io.cwd, root)
  const out = new RecordWriter(io.stdout)
  for (const r of MEDIA_ROOTS) {
    const u = await unitFor(clara, r)
    if (u) await out.write(u)
    else await out.write({ type: 'warning', during: 'list', item: r.path, domain: 'media', unit: r.unit, message: `${r.path} is absent` })
  }
  await out.end()
  return EXIT.OK
}
