/**
 * The sha256 of every member's content, taken from the same bytes that go into the archive (no
 * second read). For a plain .tar the writer thread does it (it sees every byte anyway, and the
 * reading thread has enough to do): chunks of member data are tagged here and their spans travel
 * with the output blocks. For a .tgz the output is compressed, so members are hashed here.
 */
import { createHash, type Hash } from 'node:crypto'

export const EMPTY_SHA256 = createHash('sha256').digest('hex')

/** A chunk of member `idx`'s content; `last` marks its final chunk. */
export interface Tag {
  idx: number
  last: boolean
}

export interface MemberHashing {
  /** `buf` (exactly this object) is the next part of member `idx`'s content */
  chunk(idx: number, buf: Buffer, last: boolean): void
  /** the tag of a chunk coming out of the tar packer (tagged mode only) */
  tagOf(buf: Buffer): Tag | undefined
  /** digests by member index, after the archive is complete (`fromWriter`: what the writer thread reported) */
  digests(fromWriter: Record<number, string> | undefined): Record<number, string>
}

/** Hash on this thread. */
export function localHashing(): MemberHashing {
  const open = new Map<number, Hash>()
  const done: Record<number, string> = {}
  return {
    chunk(idx, buf, last) {
      let h = open.get(idx)
      if (!h) open.set(idx, (h = createHash('sha256')))
      h.update(buf)
      if (last) {
        done[idx] = h.digest('hex')
        open.delete(idx)
      }
    },
    tagOf: () => undefined,
    digests: () => done,
  }
}

/** Tag chunks so the writer thread hashes them. */
export function taggedHashing(): MemberHashing {
  const tags = new WeakMap<Buffer, Tag>()
  return {
    chunk: (idx, buf, last) => void tags.set(buf, { idx, last }),
    tagOf: (buf) => tags.get(buf),
    digests: (fromWriter) => fromWriter ?? {},
  }
}
