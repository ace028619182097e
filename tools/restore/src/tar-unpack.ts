/**
 * Unpack a tar or tar.gz (audio shards, snapshots) into its stages, checking each header before
 * its body is written: unsafe names, symlinks out of the target, paths through links, hard links
 * to anything but a file already unpacked from the same archive, device nodes, the unit's byte
 * budget and the gzip expansion ratio. A refusal stops at once; the stages are then discarded.
 * A plain tar is read in one synchronous pass that also computes its sha256 (checked before the
 * stages are put in place); a tar.gz is verified first, then gunzipped as a stream.
 */
import { createHash } from 'node:crypto'
import fs, { createReadStream } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { Budget, MAX_RATIO, Refusal } from './limits.js'
import { targetBytes, type Placement } from './mapping.js'
import type { Artifact } from './run-plan.js'
import { LinkGuard, unsafeLink, unsafeName } from './safe-member.js'
import { TarParser, type TarHeader, type TarSink } from './tar-parse.js'
import { mismatch, verifyArtifact } from './verify-artifact.js'
import type { Placer, StageFor, Written } from './zip-unpack.js'
import { DirMaker, MemberFile, writeLink } from './fast-write.js'

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
  guard: LinkGuard
  /** files written so far: rel → absolute stage path (for hard links) */
  files: Map<string, Buffer>
  written: Written[]
  dirs: DirMaker
  /** the file being written (closed unfinished when the unit stops) */
  open: MemberFile | null
}

// Link checks compare paths as latin1 text of their bytes (as zip-unpack does): one character per
// byte, so names and link targets that are not UTF-8 are compared exactly, never through a lossy decode.
const within = (p: Placement) => targetBytes(p.target).toString('latin1')
const relOf = (p: Placement) => (p.target ? `${within(p)}/` : '') + p.sub.toString('latin1')
const READ_CHUNK = 1 << 20

export async function unpackTar(a: Artifact, placer: Placer, stageFor: StageFor, limit: number): Promise<Written[]> {
  const ctx: Ctx = { placer, stageFor, budget: new Budget(limit), guard: new LinkGuard(), files: new Map(), written: [], dirs: new DirMaker(), open: null }
  const parser = new TarParser((h) => member(h, ctx))
  try {
    if (a.format === 'tgz') await gunzipInto(a, parser)
    else readInto(a, parser)
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
  const name = h.name.toString('utf8')
  const refuse = (why: string) => new Refusal(`${why}: ${JSON.stringify(name)}`, name)
  const bad = unsafeName(h.name)
  if (bad) throw refuse(bad)
  ctx.budget.take(h.size, name)
  const p = ctx.placer(h.name)
  if (!p) return null
  const rel = relOf(p)
  const through = ctx.guard.through(rel)
  if (through) throw refuse(through)
  const stage = ctx.stageFor(p)
  const at = stage.at(p.sub)
  ctx.dirs.parentOf(at)
  let sink: TarSink | null = null
  if (h.type === 'directory') {
    ctx.dirs.ensure(at)
    fs.chmodSync(at, h.mode)
    stage.dirTimes.push([p.sub, h.mtime])
  } else if (h.type === 'symlink') {
    const target = (h.linkname ?? Buffer.alloc(0)).toString('latin1')
    const why = unsafeLink(rel, target, within(p))
    if (why) throw refuse(why)
    ctx.guard.add(rel)
    writeLink(at, h.linkname!, h.mtime)
  } else if (h.type === 'link') {
    hardLink(h, rel, at, p, ctx, refuse)
  } else if (h.type === 'file' || h.type === 'contiguous-file') {
    const f = new MemberFile(at, h.mode, h.mtime)
    ctx.open = f
    sink = {
      write: (c) => f.write(c),
      end: () => {
        ctx.open = null
        f.close()
        ctx.files.set(rel, at)
      },
    }
  } else {
    throw refuse(`a ${h.type} member`)
  }
  ctx.written.push({ target: p.target, sub: p.sub, kind: h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : 'file', size: h.size })
  return sink
}

function hardLink(h: TarHeader, rel: string, at: Buffer, p: Placement, ctx: Ctx, refuse: (why: string) => Refusal): void {
  const name = h.linkname ?? Buffer.alloc(0)
  const bad = unsafeName(name)
  if (bad) throw refuse(`hard link target: ${bad}`)
  const to = ctx.placer(name)
  const src = to && ctx.files.get(relOf(to))
  if (!src) throw refuse(`hard link to ${JSON.stringify(name.toString('utf8'))}, which is not a file unpacked before it`)
  const why = unsafeLink(rel, relOf(to), within(p), true)
  if (why) throw refuse(why)
  fs.rmSync(at, { force: true })
  fs.linkSync(src, at)
  ctx.files.set(rel, at)
}
