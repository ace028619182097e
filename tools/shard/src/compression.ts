/**
 * Compression by content: deflate a byte-weighted sample of a shard's files and keep gzip only
 * when it saves at least 5% (mp3s, JPEGs and PNGs don't compress; gzip on them only burns CPU).
 */
import fs from 'node:fs'
import { deflateRawSync } from 'node:zlib'
import { openSourceSync, type FaultHook } from '@clara/shared/source-file'
import type { Member } from './member.js'

export type CompressMode = 'auto' | 'gzip' | 'none'
export type Compression = 'gzip' | 'none'

export const MIN_SAVINGS = 0.05
const POINTS = 32
/** sample bytes: 1/16 of the content, between 16 KB and 512 KB, so small shards don't pay for big samples */
const MIN_SAMPLE = 16 << 10
const MAX_SAMPLE = 512 << 10

export interface Choice {
  compression: Compression
  /** the fraction the sample shrank by (auto only) */
  sample_savings?: number
}

/** Decide how to write a shard of `members`. */
export function chooseCompression(mode: CompressMode, members: Member[], fault?: FaultHook): Choice {
  if (mode !== 'auto') return { compression: mode }
  const s = sampleSavings(members, fault)
  const savings = Math.round(s * 1000) / 1000
  return { compression: s >= MIN_SAVINGS ? 'gzip' : 'none', sample_savings: savings }
}

/** Fraction saved by deflate (level 1) on 32 samples spread evenly over the files' bytes. */
export function sampleSavings(members: Member[], fault?: FaultHook): number {
  const files = members.filter((m) => m.entry.kind === 'file' && m.entry.size > 0)
  const total = files.reduce((n, m) => n + m.entry.size, 0)
  if (!total) return 0
  const sample = Math.ceil(Math.max(MIN_SAMPLE, Math.min(MAX_SAMPLE, total / 16)) / POINTS)
  const parts: Buffer[] = []
  let i = 0
  let start = 0 // byte offset of files[i] in the concatenation
  let last = ''
  for (let k = 0; k < POINTS; k++) {
    const at = Math.floor(((k + 0.5) * total) / POINTS)
    while (start + files[i].entry.size <= at) start += files[i++].entry.size
    const m = files[i]
    const pos = Math.max(0, Math.min(at - start, m.entry.size - sample))
    if (`${i}:${pos}` === last) continue
    last = `${i}:${pos}`
    const buf = readSample(m, pos, sample, fault)
    if (buf?.length) parts.push(buf)
  }
  const raw = Buffer.concat(parts)
  return raw.length ? 1 - deflateRawSync(raw, { level: 1 }).length / raw.length : 0
}

function readSample(m: Member, pos: number, size: number, fault?: FaultHook): Buffer | null {
  let fd: number
  try {
    fd = openSourceSync(m.entry, { fault })
  } catch {
    return null // the writer will report it
  }
  try {
    const buf = Buffer.allocUnsafe(Math.min(size, m.entry.size - pos))
    const n = fs.readSync(fd, buf, 0, buf.length, pos)
    return buf.subarray(0, n)
  } catch {
    return null
  } finally {
    fs.closeSync(fd)
  }
}
