/**
 * Run a domain's composition (pipelines.ts) in this thread: each tool's own `main(io)`, its stdin the
 * previous stage's stdout through an in-memory stream, as a shell pipe would join their processes. What
 * the shell gives a pipeline is kept: a stage that ends closes its output (the next one reads to the end);
 * a stage that ends before reading all of its input makes its writer's next write fail as EPIPE does, which
 * every tool takes as a quiet end (shared/src/cli.ts); a thrown error is one `clara-<tool>: message` line
 * and its exit code, as `run(main)` would print it. Every stage's log lines go to one stderr, whole lines
 * only, so two stages never mix within a line.
 */
import path from 'node:path'
import { PassThrough, Readable, Writable } from 'node:stream'
import { exitFor, type Io, type Main } from '@clara/shared/cli'
import { loadMain } from '@clara/shared/launch'
import type { Composition, Stage } from './pipelines.js'

export interface ComposeIo {
  repo: string
  env: NodeJS.ProcessEnv
  cwd: string
  signal: AbortSignal
  /** the last stage's records */
  stdout: Writable
  /** every stage's log lines */
  stderr: Writable
  /** a tool's main by its folder under tools/ (default: loadMain from the repo) */
  load?: (tool: string) => Promise<Main>
}

/** The status of the whole composition, as the script would exit. */
export async function runComposition(c: Composition, io: ComposeIo): Promise<number> {
  let status = 0
  for (const step of c.steps) {
    if (io.signal.aborted) break
    const code = await runPipeline(step, io)
    if (code !== 0) {
      status = code
      if (c.onFailure === 'stop') break
    }
  }
  return status
}

/** Whole lines from one stage to the shared stderr; the rest at its end. */
function lineWriter(to: Writable): Writable & { flushRest(): void } {
  let rest = ''
  const w = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const text = rest + chunk.toString()
      const cut = text.lastIndexOf('\n') + 1
      rest = text.slice(cut)
      if (cut) to.write(text.slice(0, cut))
      cb()
    },
  })
  return Object.assign(w, {
    flushRest() {
      if (rest) to.write(`${rest}\n`)
      rest = ''
    },
  })
}

/** `a | b | c`: status of the last stage that failed (pipefail). */
async function runPipeline(stages: Stage[], io: ComposeIo): Promise<number> {
  const load = io.load ?? ((tool: string) => loadMain(path.join(io.repo, 'tools', tool)))
  const mains = await Promise.all(stages.map((s) => load(s.tool)))
  // pipes[i] joins stage i's stdout to stage i + 1's stdin
  const pipes = stages.slice(0, -1).map(() => new PassThrough())
  const runs = stages.map(async (s, i): Promise<number> => {
    const name = `clara-${s.tool}`
    const stdin = i === 0 ? Readable.from([]) : pipes[i - 1]
    const stdout = i === stages.length - 1 ? keepOpen(io.stdout) : pipes[i]
    const stderr = lineWriter(io.stderr)
    const toolIo: Io = { argv: s.argv, stdin, stdout, stderr, env: io.env, cwd: io.cwd, signal: io.signal, isTTY: false }
    let code: number
    try {
      code = await mains[i](toolIo)
    } catch (err) {
      code = exitFor(err, stderr, name)
    }
    stderr.flushRest()
    if (!stdout.writableEnded) stdout.end()
    // what it left unread: its writer's next write fails as on a closed pipe
    if (i > 0 && !stdin.readableEnded) stdin.destroy()
    return code
  })
  const codes = await Promise.all(runs)
  return codes.reduce((status, code) => (code !== 0 ? code : status), 0)
}

/** The last stage's stdout: what it writes goes on to `to`, and its end does not end `to` (a later step writes there too). */
function keepOpen(to: Writable): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      if (to.write(chunk)) cb()
      else to.once('drain', () => cb())
    },
  })
}
