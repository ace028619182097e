/** A seeded tree of audio-cache-like files (incompressible "mp3" and compressible text), for the shard trials. */
import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import type { Rng } from './rng.js'

const VOICES = ['google/en-GB/en-GB-News-J', 'openai/french/alloy', 'human_voice/old norse', 'eleven/ja/Hanako']

export async function synthTree(root: string, r: Rng, files: number, maxKb: number): Promise<number> {
  let bytes = 0
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, r.pick(VOICES))
    await fsp.mkdir(dir, { recursive: true })
    const size = r.int(0, maxKb * 1024)
    const text = r.chance(0.3)
    const body = text ? Buffer.from(`word ${i} `.repeat(Math.ceil(size / 8)).slice(0, size)) : randomBytes(size)
    const file = path.join(dir, `${text ? 'segment' : 'clip'}_${String(i).padStart(5, '0')}.${text ? 'txt' : 'mp3'}`)
    await fsp.writeFile(file, body)
    const t = new Date(Date.UTC(2024, 0, 1) + i * 60_000)
    await fsp.utimes(file, t, t)
    bytes += size
  }
  return bytes
}
