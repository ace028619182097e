/**
 * Verify a tar (or gzipped tar) in one sequential read: the stored bytes are hashed as they are
 * read (on a HashPool worker when given), gunzipped when needed, and every member is parsed
 * (TarScanner, on this thread) and its content hashed (on the pool's other worker; here for a .tgz).
 */
import { once } from 'node:events'
import type { MemberInfo } from '@clara/shared/member-check'
import { memberType } from '@clara/shared/tar-reader'
import zlib from 'node:zlib'
import type { HashPool } from './hash-pool.js'
import { readPass } from './read-pass.js'
import { TarScanner, type TarMember } from './tar-scan.js'

export type { TarMember }

export interface TarCheck {
  sha256: string
  size: number
  members: TarMember[]
  /** every member as the shared member checks see it */
  infos: MemberInfo[]
  problems: string[]
}

/** Feeds gzipped bytes through a gunzip stream into the scanner (backpressure: at most one buffer queued). */
class Gunzipper {
  private gz = zlib.createGunzip({ chunkSize: 1 << 20 })
  private done: Promise<void>
  error: string | null = null

  constructor(scan: TarScanner) {
    this.gz.on('data', (c: Buffer) => scan.feed(c))
    this.done = new Promise((resolve) => {
      this.gz.on('end', () => resolve())
      this.gz.on('error', (err) => {
        this.error = err.message
        resolve()
      })
    })
  }

  async write(piece: Buffer): Promise<void> {
    if (this.error) return
    // copied: the read slot is reused while zlib still holds the bytes
    if (!this.gz.write(Buffer.from(piece))) await Promise.race([once(this.gz, 'drain'), this.done])
  }

  async end(): Promise<void> {
    if (!this.error) this.gz.end()
    await this.done
  }
}

/** Hash the stored bytes and list every member with the sha256 of its content. */
export async function checkTar(file: string, opts: { gzip: boolean; pool?: HashPool | null }): Promise<TarCheck> {
  const scan = new TarScanner()
  const gz = opts.gzip ? new Gunzipper(scan) : null
  const { sha256, size } = await readPass(file, opts.pool ?? null, (chunk, _pos, pieces) => (gz ? gz.write(chunk) : scan.feed(chunk, pieces)))
  if (gz) await gz.end()
  if (gz?.error) scan.error ??= `gunzip: ${gz.error}`
  scan.end()
  const problems = scan.error ? [`not a readable ${opts.gzip ? 'gzipped tar' : 'tar'}: ${scan.error}`] : []
  const infos = scan.headers.map((h) => ({ name: h.name, type: memberType(h.type), mode: h.mode, linkname: h.linkname }))
  return { sha256, size, members: scan.members, infos, problems }
}
