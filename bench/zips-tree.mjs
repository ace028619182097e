#!/usr/bin/env node
// Bench tree for bench/zips.sh when clara-fixture is not used: N project folders shaped like
// C-LARA's (the reference perf-baseline of this machine kind): ~60 text/HTML/JSON files of 1–20 KB and ~15
// incompressible media files (.mp3/.png) of 20–300 KB each. Usage: zips-tree.mjs DIR N
import { mkdirSync, writeFileSync, existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'

const [dir, nArg] = process.argv.slice(2)
const n = Number(nArg)
if (!dir || !n) throw new Error('usage: zips-tree.mjs DIR N')
let seed = 0x2545f491
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32)
const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
const words = Array.from({ length: 2000 }, (_, i) => 'w' + (i * 2654435761 >>> 0).toString(36).slice(0, int(2, 9)))
const text = (bytes) => {
  let s = '<html><body>\n'
  while (s.length < bytes) s += `<p class="seg" data-i="${int(0, 999)}">${Array.from({ length: 12 }, () => words[int(0, 1999)]).join(' ')}</p>\n`
  return s.slice(0, bytes)
}
for (let p = 1; p <= n; p++) {
  const root = path.join(dir, `p${String(p).padStart(4, '0')}`)
  if (existsSync(path.join(root, '.done'))) continue
  for (let f = 0; f < 60; f++) {
    const sub = path.join(root, ['', 'pages', 'concordance', 'json'][f % 4])
    mkdirSync(sub, { recursive: true })
    writeFileSync(path.join(sub, `f${f}.${['html', 'txt', 'html', 'json'][f % 4]}`), text(int(1000, 20000)))
  }
  mkdirSync(path.join(root, 'multimedia'), { recursive: true })
  for (let m = 0; m < 15; m++) writeFileSync(path.join(root, 'multimedia', `m${m}.${m % 2 ? 'mp3' : 'png'}`), randomBytes(int(20000, 300000)))
  writeFileSync(path.join(root, '.done'), '')
}
