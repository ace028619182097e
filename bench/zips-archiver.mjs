#!/usr/bin/env node
// The off-the-shelf comparison for bench/zips.sh: archiver (streams per entry), storing media and
// deflating the rest at level 6, one zip per project, sha256 of each zip. Usage: zips-archiver.mjs ROOT N DEST
import { createWriteStream, mkdirSync, readdirSync } from 'node:fs'
import { createHash } from 'node:crypto'
import path from 'node:path'
import archiver from 'archiver'

const [root, nArg, dest] = process.argv.slice(2)
const dirs = readdirSync(root).sort().slice(0, Number(nArg))
const media = /\.(mp3|wav|ogg|m4a|jpg|jpeg|png|gif|webp|zip|gz|pdf)$/i
for (const d of dirs) {
  mkdirSync(path.join(dest, d), { recursive: true })
  const file = path.join(dest, d, 'source.zip')
  const out = createWriteStream(file)
  const h = createHash('sha256')
  const zip = archiver('zip', { zlib: { level: 6 } })
  zip.on('data', (c) => h.update(c))
  zip.pipe(out)
  const walk = (abs, rel) => {
    for (const e of readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const a = path.join(abs, e.name), r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) walk(a, r)
      else if (e.isFile() && e.name !== '.done') zip.file(a, { name: `project_dir/${r}`, store: media.test(e.name) })
    }
  }
  walk(path.join(root, d), '')
  await zip.finalize()
  await new Promise((res) => out.on('close', res))
  h.digest('hex')
}
