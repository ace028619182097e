/**
 * Unpack a tar or tar.gz (audio shards, snapshots) into its stages, checking each header before
 * its body is written: unsafe names, symlinks out of the target, paths through links, hard links
 * to anything but a file already unpacked from the same archive, device nodes, the unit's byte
 * budget and the gzip expansion ratio. A refusal stops at once; the stages are then discarded.
 */
import { createReadStream, promises as fsp } from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import tar from 'tar-stream'
import type { Header } from 'tar-stream'
import { Budget, MAX_RATIO, Refusal } from './limits.js'
import type { Placement } from './mapping.js'
import { LinkGuard, unsafeLink, unsafeName } from './safe-member.js'
import type { Placer, StageFor, Written } from './zip-unpack.js'
import { DirMaker, writeLink, writeMember } from './fast-write.js'

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

/** One member as tar-stream hands it out: a readable body plus its header. */
type Source = AsyncIterable<Buffer> & { header: Header }

interface Ctx {
  placer: Placer
  stageFor: StageFor
  budget: Budget
  guard: LinkGuard
  /** files written so far: rel → absolute stage path (for hard links) */
  files: Map<string, Buffer>
  written: Written[]
  dirs: DirMaker
}

const relOf = (p: Placement) => (p.target ? `${p.target}/` : '') + p.sub.toString('utf8')

export async function unpackTar(file: string, gzip: boolean, placer: Placer, stageFor: StageFor, limit: number): Promise<Written[]> {
  const ctx: Ctx = { placer, stageFor, budget: new Budget(limit), guard: new LinkGuard(), files: new Map(), written: [], dirs: new DirMaker() }
  const counter = { in: 0 }
  const src = createReadStream(file).on('data', (c) => (counter.in += c.length))
  const ex = tar.extract()
  const stages = gzip ? [src, createGunzip(), new RatioGuard(counter), ex] : [src, ex]
  const done = pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream])
  done.catch(() => {}) // observed below
  try {
    for await (const entry of ex) await member(entry as Source, ctx)
  } catch (err) {
    ex.destroy(err as Error)
    src.destroy()
    await done.catch(() => {})
    throw err
  }
  await done
  return ctx.written
}

async function member(entry: Source, ctx: Ctx): Promise<void> {
  const h = entry.header
  const refuse = (why: string) => new Refusal(`${why}: ${JSON.stringify(h.name)}`, h.name)
  const bad = unsafeName(h.name)
  if (bad) throw refuse(bad)
  ctx.budget.take(h.size ?? 0, h.name)
  const p = ctx.placer(Buffer.from(h.name))
  if (!p) return drain(entry)
  const rel = relOf(p)
  const through = ctx.guard.through(rel)
  if (through) throw refuse(through)
  const stage = ctx.stageFor(p)
  const at = stage.at(p.sub)
  const mtime = h.mtime ? h.mtime.getTime() / 1000 : Date.now() / 1000
  ctx.dirs.parentOf(at)
  if (h.type === 'directory') {
    ctx.dirs.ensure(at)
    await fsp.chmod(at, h.mode ?? 0o755)
    stage.dirTimes.push([p.sub, mtime])
  } else if (h.type === 'symlink') {
    const why = unsafeLink(rel, h.linkname ?? '', p.target)
    if (why) throw refuse(why)
    ctx.guard.add(rel)
    writeLink(at, h.linkname!, mtime)
  } else if (h.type === 'link') {
    await hardLink(h, rel, at, p, ctx, refuse)
  } else if (h.type === 'file' || h.type === 'contiguous-file') {
    await writeMember(at, entry, h.mode ?? 0o644, mtime)
    ctx.files.set(rel, at)
  } else {
    throw refuse(`a ${h.type} member`)
  }
  ctx.written.push({ target: p.target, sub: p.sub, kind: h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : 'file', size: h.size ?? 0 })
  return drain(entry)
}

async function hardLink(h: Header, rel: string, at: Buffer, p: Placement, ctx: Ctx, refuse: (why: string) => Refusal): Promise<void> {
  const name = h.linkname ?? ''
  const bad = unsafeName(name)
  if (bad) throw refuse(`hard link target: ${bad}`)
  const to = ctx.placer(Buffer.from(name))
  const src = to && ctx.files.get(relOf(to))
  if (!src) throw refuse(`hard link to ${JSON.stringify(name)}, which is not a file unpacked before it`)
  const why = unsafeLink(rel, relOf(to), p.target, true)
  if (why) throw refuse(why)
  await fsp.rm(at, { force: true })
  await fsp.link(src, at)
  ctx.files.set(rel, at)
}

async function drain(entry: Source): Promise<void> {
  for await (const _ of entry) void _
}
