/**
 * Verify a tar (or gzipped tar) in one sequential read: the stored bytes are hashed as they are
 * read, gunzipped when needed, and every member is parsed (tar-stream) and its content hashed.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import zlib from 'node:zlib'
import tar from 'tar-stream'

export interface TarMember {
  name: string
  kind: 'file' | 'dir' | 'symlink' | 'other'
  size: number
  sha256?: string
  target?: string
}

export interface TarCheck {
  sha256: string
  size: number
  members: TarMember[]
  problems: string[]
}

const KIND: Record<string, TarMember['kind']> = { file: 'file', 'contiguous-file': 'file', directory: 'dir', symlink: 'symlink' }

/** Hash the stored bytes and list every member with the sha256 of its content. */
export async function checkTar(file: string, opts: { gzip: boolean }): Promise<TarCheck> {
  const hash = createHash('sha256')
  let size = 0
  const src = createReadStream(file, { highWaterMark: 1 << 20 })
  src.on('data', (c) => {
    hash.update(c as Buffer)
    size += c.length
  })
  const closed = new Promise<void>((resolve) => src.on('close', () => resolve()))
  const ex = tar.extract()
  const members: TarMember[] = []
  const problems: string[] = []
  const fail = (where: string) => (err: Error) => ex.destroy(Object.assign(new Error(`${where}: ${err.message}`), { cause: err }))
  src.on('error', fail('read'))
  if (opts.gzip) {
    const gz = zlib.createGunzip({ chunkSize: 1 << 20 })
    gz.on('error', fail('gunzip'))
    src.pipe(gz).pipe(ex)
  } else src.pipe(ex)
  try {
    for await (const entry of ex) {
      const h = entry.header
      const m: TarMember = { name: h.name.replace(/\/$/, ''), kind: KIND[h.type] ?? 'other', size: 0 }
      if (h.type === 'symlink') m.target = h.linkname
      const d = createHash('sha256')
      for await (const c of entry) {
        d.update(c as Buffer)
        m.size += (c as Buffer).length
      }
      if (m.kind === 'file') m.sha256 = d.digest('hex')
      members.push(m)
    }
  } catch (err) {
    problems.push(`not a readable ${opts.gzip ? 'gzipped tar' : 'tar'}: ${(err as Error).message}`)
    // keep reading for the file hash
    src.unpipe()
    src.resume()
  }
  await closed
  return { sha256: hash.digest('hex'), size, members, problems }
}
