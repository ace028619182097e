/** A zip sink that writes nothing and hashes what it is given (for --dry-run: the same sizes and sha256). */
import { createHash } from 'node:crypto'

export class HashSink {
  size = 0
  private h = createHash('sha256')
  async write(buf: Uint8Array): Promise<void> {
    this.h.update(buf)
    this.size += buf.length
  }
  digest(): string {
    return this.h.digest('hex')
  }
}
