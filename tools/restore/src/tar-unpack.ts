/**
 * Unpack a tar or tar.gz (audio shards, snapshots) into its stages with the shared tar reader,
 * checking each header before its body is written. The unit's byte budget, the gzip expansion
 * ratio and a damaged or lying header refuse the unit (the stages are then discarded); a member
 * the shared member checks find unsafe (name, device or FIFO, a path through a symlink of the
 * unit, a hard link to anything but a file of the same archive and target) is skipped and
 * reported. Files and folders go through the stage's SafeTree (never through a link); symlinks
 * are recorded and made verbatim once the whole unit is in.
 * A plain tar is read in one synchronous pass that also computes its sha256 (checked before the
 * stages are put in place); a tar.gz is verified first, then gunzipped as a stream.
 */
import { createHash } from 'node:crypto'
import fs, { createReadStream } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { memberPath } from '@clara/shared/member-check'
import { PathConflict } from '@clara/shared/safe-tree'
import { memberType, TarFormatError, TarParser, type TarHeader, type TarSink } from '@clara/shared/tar-reader'
import { Budget, MAX_RATIO, Refusal } from './limits.js'
import type { Artifact } from './run-plan.js'
import { partsOf, type UnitExtraction } from './safe-member.js'
import type { Stage } from './stage.js'
import { mismatch, verifyArtifact } from './verify-artifact.js'
import type { Placer, StageFor, Written } from './zip-unpack.js'
import { MemberFile } from './fast-write.js'

/** Counts bytes in and out of gunzip: refuses an expansion beyond what deflate can do. */
class RatioGuard extends Transform {
  constructor(readonly counter: { in: number }) {
    super()
  }
  out = 0
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.out += chunk.length
    if (this.out > (1 << 20) && this.out > this.counter.in * MAX_RATIO) return cb(new Refusal(`gzip expands more than ${MAX_RATIO}:1: a decompression bomb`))
    cb(null, chunk)
  }
}

interface Ctx {
  placer: Placer
  stageFor: StageFor
  budget: Budget
  x: UnitExtraction
  /** files written so far from this archive: member key → [stage, components] (for hard links) */
  files: Map<string, [Stage, Buffer[]]>
  written: Written[]
  /** the file being written (closed unfinished when the unit stops) */
  open: MemberFile | null
}

const READ_CHUNK = 1 << 20

export async function unpackTar(a: Artifact, placer: Placer, stageFor: StageFor, limit: number, x: UnitExtraction): Promise<Written[]> {
  const ctx: Ctx = { placer, stageFor, budget: new Budget(limit), x, files: new Map(), written: [], open: null }
  x.policy.archive()
  const parser = new TarParser((h) => member(h, ctx))
  try {
    if (a.format === 'tgz') await gunzipInto(a, parser)
    else readInto(a, parser)
  } catch (err) {
    // the artifact's sha256 matched, so the archive was made this way: a member that lies about its size refuses the unit
    throw err instanceof TarFormatError ? new Refusal(err.message) : err
  } finally {
    ctx.open?.abort()
  }
  return ctx.written
}

/** One synchronous pass over a plain tar: parse and hash. A damaged file is reported as such, whatever stopped the parse. */
function readInto(a: Artifact, parser: TarParser): void {
  const fd = fs.openSync(a.abs, 'r')
  const h = createHash('sha256')
  const buf = Buffer.allocUnsafe(READ_CHUNK)
  let failure: unknown = null
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) {
      const chunk = buf.subarray(0, n)
      h.update(chunk)
      if (failure) continue
      try {
        parser.push(chunk)
      } catch (err) {
        failure = err // read on: is the artifact damaged?
      }
    }
  } finally {
    fs.closeSync(fd)
  }
  const got = h.digest('hex')
  if (got !== a.sha256) throw mismatch(a, got)
  if (failure) throw failure
  parser.end()
}

async function gunzipInto(a: Artifact, parser: TarParser): Promise<void> {
  await verifyArtifact(a)
  const counter = { in: 0 }
  const src = createReadStream(a.abs).on('data', (c) => (counter.in += c.length))
  const gunzip = createGunzip()
  const guard = new RatioGuard(counter)
  src.on('error', (err) => gunzip.destroy(err))
  gunzip.on('error', (err) => guard.destroy(err))
  src.pipe(gunzip).pipe(guard)
  try {
    for await (const chunk of guard as AsyncIterable<Buffer>) parser.push(chunk)
  } finally {
    src.destroy()
    gunzip.destroy()
  }
  parser.end()
}

function member(h: TarHeader, ctx: Ctx): TarSink | null {
  const { x } = ctx
  ctx.budget.take(h.size, h.name.toString('utf8'))
  const type = memberType(h.type)
  const v = x.policy.check({ name: h.name, type, mode: h.mode, linkname: h.linkname })
  if (!v.ok) {
    x.skip(h.name, v.reason)
    return null
  }
  const p = ctx.placer(Buffer.from(v.key + (type === 'dir' && v.key ? '/' : ''), 'latin1'))
  if (typeof p === 'string') x.skip(h.name, p)
  if (!p || typeof p === 'string') return null
  const stage = ctx.stageFor(p)
  const parts = partsOf(p.sub)
  try {
    return write(h, type, v.key, p.target, p.sub, stage, parts, ctx)
  } catch (err) {
    if (!(err instanceof PathConflict)) throw err
    x.skip(h.name, err.message)
    return null
  }
}

function write(h: TarHeader, type: string, key: string, target: string, sub: Buffer, stage: Stage, parts: Buffer[], ctx: Ctx): TarSink | null {
  const { x } = ctx
  if (type === 'dir') {
    if (stage.tree) fs.chmodSync(stage.tree.dir(parts), x.mode(h.mode))
    stage.dirTimes.push([sub, h.mtime])
    ctx.written.push({ target, sub, kind: 'dir', size: 0 })
    return null
  }
  if (type === 'symlink') {
    if (!stage.tree || !parts.length) throw new PathConflict('a symlink in place of its target')
    x.policy.link(key)
    const link = h.linkname ?? Buffer.alloc(0)
    stage.tree.link(parts, link, h.mtime, h.name.toString('utf8'))
    ctx.written.push({ target, sub, kind: 'symlink', size: 0, link })
    return null
  }
  if (type === 'link') {
    // the policy checked that it names a file of this archive before it; it must be in this stage too
    const to = memberPath(h.linkname ?? Buffer.alloc(0))
    const from = 'key' in to ? ctx.files.get(to.key) : undefined
    if (!from || from[0] !== stage || !stage.tree) throw new PathConflict(`hard link to ${h.linkname!.toString('utf8')}, which is not a file of the same target`)
    stage.tree.hardLink(from[1], parts)
    ctx.files.set(key, [stage, parts])
    ctx.written.push({ target, sub, kind: 'file', size: 0 })
    return null
  }
  const mode = x.mode(h.mode)
  const f = new MemberFile(stage.open(parts, mode), mode, h.mtime)
  ctx.open = f
  ctx.files.set(key, [stage, parts])
  ctx.written.push({ target, sub, kind: 'file', size: h.size })
  return {
    write: (c, start, end) => f.write(c.subarray(start, end)),
    end: () => {
      ctx.open = null
      f.close()
    },
  }
}
