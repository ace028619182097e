/**
 * Test helper (not a test): hand-made malicious archives. Raw zip bytes with any name, kind,
 * declared size or shared data; tars through tar-stream's pack with any name or link.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { hashFile } from '@clara/shared/hash'
import zlib from 'node:zlib'
import tar from 'tar-stream'
import { centralHeader, dosDateTime, endRecords, localHeader, S_IFDIR, S_IFLNK, S_IFREG } from '@clara/shared/zip-format'

export interface CraftEntry {
  name: string
  data?: Buffer | string
  kind?: 'file' | 'dir' | 'symlink'
  deflate?: boolean
  /** lie about the uncompressed size */
  declaredSize?: number
  /** point this entry's central record at an earlier entry's data (overlap) */
  sameDataAs?: number
  /** permission bits (setuid and friends included); default 0644 / 0755 */
  mode?: number
}

const MTIME = 1704067200

export function craftZip(file: string, entries: CraftEntry[]): void {
  const parts: Buffer[] = []
  const central: Buffer[] = []
  const offsets: { off: number; h: Parameters<typeof localHeader>[0] }[] = []
  let off = 0
  for (const e of entries) {
    const raw = Buffer.from(e.data ?? '')
    const body = e.deflate ? zlib.deflateRawSync(raw) : raw
    const h = {
      versionNeeded: 20, flags: 0x800, method: e.deflate ? 8 : 0, dos: dosDateTime(MTIME), crc32: zlib.crc32(raw),
      compressedSize: body.length, size: e.declaredSize ?? raw.length, name: Buffer.from(e.name), extra: Buffer.alloc(0),
    }
    const mode = e.kind === 'dir' ? S_IFDIR | (e.mode ?? 0o755) : e.kind === 'symlink' ? S_IFLNK | 0o777 : S_IFREG | (e.mode ?? 0o644)
    if (e.sameDataAs !== undefined) {
      const prev = offsets[e.sameDataAs]
      central.push(centralHeader({ ...prev.h, name: h.name, externalAttr: mode * 65536, localOffset: prev.off }))
      offsets.push(prev)
      continue
    }
    const lh = localHeader(h)
    parts.push(lh, body)
    central.push(centralHeader({ ...h, externalAttr: mode * 65536, localOffset: off }))
    offsets.push({ off, h })
    off += lh.length + body.length
  }
  const cd = Buffer.concat(central)
  writeFileSync(file, Buffer.concat([...parts, cd, endRecords(entries.length, cd.length, off)]))
}

export interface TarMember {
  name: string
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device'
  data?: string
  linkname?: string
  mode?: number
}

export async function craftTar(file: string, members: TarMember[], gzip = false): Promise<void> {
  const pack = tar.pack()
  const chunks: Buffer[] = []
  const done = (async () => {
    for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c)
  })()
  for (const m of members) {
    const type = m.type ?? 'file'
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve())
      const header = { name: m.name, type, mode: m.mode ?? (type === 'directory' ? 0o755 : 0o644), mtime: new Date(MTIME * 1000), linkname: m.linkname, ...(type === 'character-device' ? { devmajor: 1, devminor: 5 } : {}) }
      if (type === 'file') pack.entry(header, m.data ?? '', cb)
      else pack.entry(header, cb)
    })
  }
  pack.finalize()
  await done
  const buf = Buffer.concat(chunks)
  writeFileSync(file, gzip ? zlib.gzipSync(buf) : buf)
}

/** A legacy_zips unit in `run` holding one crafted zip, with the metadata.json a backup would write. */
export async function legacyUnit(run: string, name: string, entries: CraftEntry[]): Promise<void> {
  await zipUnit(run, name, [entries])
}

/**
 * A legacy_zips unit of one or more crafted zips (`legacy.zip`, `legacy_2.zip`, …), each restored
 * to `to` (default LARA_legacy/<name>), with the metadata.json (sha256s recomputed) a backup would write.
 */
export async function zipUnit(run: string, name: string, archives: CraftEntry[][], to = `LARA_legacy/${name}`): Promise<void> {
  const dir = path.join(run, 'legacy_zips', name)
  mkdirSync(dir, { recursive: true })
  const list = []
  for (const [i, entries] of archives.entries()) {
    const file = i ? `legacy_${i + 1}.zip` : 'legacy.zip'
    craftZip(path.join(dir, file), entries)
    const { sha256, bytes } = await hashFile(path.join(dir, file))
    list.push({ name: file.replace(/\.zip$/, ''), path: `legacy_zips/${name}/${file}`, sha256, size_bytes: bytes, restore: [{ prefix: '', to }] })
  }
  const meta = { version: 1, domain: 'legacy_zips', unit: name, archives: list }
  writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify(meta))
}
