/**
 * SIGTERM and SIGINT end clara-restore and clara-verify with exit 130, mid-run. "Mid-run" is made
 * certain, not a matter of speed: the tool's stdout is not read until the signal is sent, and its
 * records for UNITS units are far more than a pipe holds (64 KiB), so it cannot have finished before
 * the signal, however busy the machine. The signal goes when the tool reports its first unit done
 * (its handlers are installed and it is at work), then stdout is drained. A SIGKILL later
 * (HANG_GUARD_MS: a bound for a hang, not a speed limit) would show up as the exit signal: an exit 130
 * with no signal proves the tool ended itself. And a FIFO in place of the run's manifest is refused,
 * never opened blocking (a blocked open would wait for a writer forever: the same guard ends it, and
 * the test fails).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { legacyUnit } from './craft.js'
import { bin } from './kit.js'

const STACK = /^\s+at .+(\(|file:|node:)/m
const HANG_GUARD_MS = 60_000
/** ~110 bytes of restore records and ~150 of verify verdicts a unit: over 100 KiB either way */
const UNITS = 1000
const PIPE_BYTES = 64 * 1024

async function interrupted(t: Test, tool: string, args: string[], mark: RegExp, signal: NodeJS.Signals): Promise<void> {
  let sent = false
  const r = await spawnTool(process.execPath, [bin(tool), ...args], {
    timeoutMs: 120_000,
    onSpawn: (child) => {
      // held until the signal is sent: the tool blocks once the pipe is full, long before its last unit
      child.stdout!.pause()
      let err = ''
      child.stderr!.on('data', (c: Buffer) => {
        err += c.toString()
        if (sent || !mark.test(err)) return
        sent = true
        child.kill(signal)
        child.stdout!.resume()
        setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS).unref()
      })
    },
  })
  t.ok(sent, `${tool}: signalled mid-run`)
  t.ok(Buffer.byteLength(r.stdout) > PIPE_BYTES, `${tool}: its records are more than a pipe holds (${Buffer.byteLength(r.stdout)} bytes), so it was held mid-run`)
  t.equal(r.signal, null, `${tool}: ended by itself after ${signal} (not killed)`)
  t.equal(r.code, 130, `${tool}: exit 130 on ${signal}`)
  t.notMatch(r.stderr, STACK, 'no stack trace')
}

t.test('SIGTERM and SIGINT end restore and verify with exit 130', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  for (let i = 0; i < UNITS; i++) await legacyUnit(run, `u${String(i).padStart(4, '0')}`, [{ name: 'a.txt', data: `unit ${i}` }, { name: 'b/c.txt', data: 'c' }])
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    await interrupted(t, 'restore', [run, '--to', path.join(base, `new-${sig}`), '--domains', 'legacy', '--verbose'], /legacy_zips\/u\d+: restored/, sig)
    await interrupted(t, 'verify', [run, '--no-state', '--verbose', '--data', 'full'], /ok unit legacy_zips\/u\d+|legacy_zips\/u\d+/, sig)
  }
})

t.test('a FIFO in place of the manifest: refused in one line, never opened blocking', async (t) => {
  const run = path.join(t.testdir({}), 'run')
  mkdirSync(run)
  execFileSync('mkfifo', [path.join(run, 'manifest.json')])
  const r = await spawnTool(process.execPath, [bin('restore'), run, '--to', path.join(run, '..', 'new'), '--domains', 'legacy', '--quiet'], { timeoutMs: HANG_GUARD_MS })
  t.equal(r.signal, null, 'restore ended by itself: it did not block on the FIFO')
  t.equal(r.code, 3)
  t.match(r.stderr, /manifest\.json: not a regular file \(a FIFO\)/)
  t.notMatch(r.stderr, STACK, 'no stack trace')
  const v = await spawnTool(process.execPath, [bin('verify'), run, '--no-state', '--quiet'], { timeoutMs: HANG_GUARD_MS })
  t.equal(v.signal, null, 'verify ended by itself: it did not block on the FIFO')
  t.equal(v.code, 3)
  t.match(v.stderr, /manifest\.json unreadable \(ENOTREG\)/)
})
