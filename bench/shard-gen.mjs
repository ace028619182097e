#!/usr/bin/env node
// Generate an mp3-like TTS audio cache for bench/shards.sh when clara-fixture cannot:
// N files of 5-60 KB of random bytes (an ID3/MPEG frame header in front), in the engine/lang/voice layout.
// usage: node bench/shard-gen.mjs DIR [N]
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

const [dir, nArg] = process.argv.slice(2)
if (!dir) {
  console.error('usage: shard-gen.mjs DIR [N]')
  process.exit(2)
}
const n = Number(nArg ?? 21000)
const voices = [
  'google/en-GB/en-GB-News-J', 'google/fr-FR/fr-FR-Wavenet-A', 'openai/english/alloy', 'openai/french/nova',
  'eleven_labs/english/Rachel', 'abair/irish/ga_UL_anb_nemo', 'readspeaker/en_uk/Alice', 'ipa_reader/american/Salli',
  'human_voice/english/mannyrayner', 'human_voice/old norse/mannyrayner', 'human_voice/māori/kaikōrero',
]
const header = Buffer.from([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64])
let seed = 1
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
const base = Date.UTC(2024, 0, 1) / 1000
for (let i = 0; i < n; i++) {
  const voice = voices[i % voices.length]
  const vname = voice.split('/').pop()
  const t = base + i * 997
  const ts = new Date(t * 1000).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)
  const uuid = createHash('md5').update(String(i)).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')
  const file = path.join(dir, voice, `${vname}_${ts}_${uuid}.mp3`)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const size = 5000 + Math.floor(rnd() * 55000)
  fs.writeFileSync(file, Buffer.concat([header, randomBytes(size - header.length)]))
  fs.utimesSync(file, t, t)
}
