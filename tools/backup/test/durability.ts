/**
 * The run's durability marks (src/durability.ts) on real folders, with the boot id injected and the real
 * flush (syncfs) wrapped to record what durable.json said on disk when it ran: a mark only after its flush,
 * dropped before a domain's tools write; on resume, an unmarked folder of the same boot flushed and kept, of
 * another boot (or of none to compare) moved aside with one line; an older toolkit's run trusted.
 */
import t, { type Test } from 'tap'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { syncFileSystem } from '@clara/shared/sync-fs'
import { DURABLE_FILE, readBootId, RunDurability, type DurabilityOptions } from '../src/durability.js'

const BOOT_A = 'aaaaaaaa-0000-4000-8000-000000000001'
const BOOT_B = 'bbbbbbbb-0000-4000-8000-000000000002'

const marksOn = (run: string): string[] | null => (existsSync(path.join(run, DURABLE_FILE)) ? Object.keys(JSON.parse(readFileSync(path.join(run, DURABLE_FILE), 'utf8')).domains) : null)
const docOf = (run: string) => JSON.parse(readFileSync(path.join(run, DURABLE_FILE), 'utf8'))

/** Options with boot id `boot`; every flush is the real one, recorded with the marks on disk at its start. */
function opts(run: string, boot: string | null) {
  const flushes: { path: string; marks: string[] | null }[] = []
  const warnings: string[] = []
  const o: DurabilityOptions = {
    bootId: async () => boot,
    flush: async (p) => {
      flushes.push({ path: p, marks: marksOn(run) })
      await syncFileSystem(p)
    },
    warn: (dir, msg) => warnings.push(`${dir}: ${msg}`),
  }
  return { o, flushes, warnings }
}

/** A run folder with a domain folder holding one finished unit. */
function runWith(t: Test, domains: string[]): string {
  const run = t.testdir({})
  for (const d of domains) {
    mkdirSync(path.join(run, d, 'u1'), { recursive: true })
    writeFileSync(path.join(run, d, 'u1', 'metadata.json'), '{}\n')
  }
  return run
}

const never = new AbortController().signal

t.test('a new run: durable.json holds the boot id before any domain; a mark only after its flush', async (t) => {
  const run = runWith(t, [])
  const { o, flushes } = opts(run, BOOT_A)
  const d = await RunDurability.open(run, false, o)
  t.same(docOf(run), { version: 1, boot_id: BOOT_A, domains: {} }, 'written at the start')
  let during: string[] | null = null
  await d.domain('media', async () => {
    mkdirSync(path.join(run, 'media'))
    during = marksOn(run)
  }, never)
  await d.settled()
  t.same(during, [], 'no mark while the tools run')
  t.same(flushes, [{ path: run, marks: [] }], 'one flush, of the run’s file system, before the mark')
  t.same(marksOn(run), ['media'], 'marked once flushed')
  t.ok(d.marked('media'))
  t.match(docOf(run).domains.media, /^\d{4}-\d\d-\d\dT/, 'when its flush completed')
})

t.test('a domain run again: its mark is dropped before its tools write, set again after the flush', async (t) => {
  const run = runWith(t, [])
  const { o, flushes } = opts(run, BOOT_A)
  const d = await RunDurability.open(run, false, o)
  await d.domain('db', async () => {}, never)
  await d.settled()
  t.notOk(existsSync(path.join(run, 'db')), 'a domain that made no folder is flushed and marked too')
  t.same(marksOn(run), ['db'])
  let during: string[] | null = null
  await d.domain('db', async () => {
    during = marksOn(run)
  }, never)
  await d.settled()
  t.same(during, [], 'the mark was gone (on disk) when the tools started')
  t.same(flushes.map((f) => f.marks), [[], []], 'each flush ran unmarked')
  t.same(marksOn(run), ['db'])
})

t.test('a domain stopped by the signal, or whose flush fails, is left unmarked', async (t) => {
  const run = runWith(t, [])
  const { o } = opts(run, BOOT_A)
  const d = await RunDurability.open(run, false, o)
  const ac = new AbortController()
  await d.domain('media', async () => ac.abort(), ac.signal)
  await d.settled()
  t.same(marksOn(run), [], 'interrupted: no flush, no mark')
  const failing = await RunDurability.open(run, false, { ...o, flush: (p) => syncFileSystem(path.join(p, 'gone')) })
  await failing.domain('infra', async () => {}, never)
  await t.rejects(failing.settled(), { code: 'ESYNCFS' }, 'the failed flush is thrown by settled()')
  await t.rejects(failing.beforeManifest(), { code: 'ESYNCFS' }, 'and so no manifest follows')
  t.same(marksOn(run), [], 'a failed flush marks nothing')
})

t.test('the next domain starts while the last one’s flush goes on; each is marked after its own flush', async (t) => {
  const run = runWith(t, [])
  const { o, flushes } = opts(run, BOOT_A)
  let release = () => {}
  const gate = new Promise<void>((r) => (release = r))
  // the first flush (source_exports') waits until the test lets it go
  const d = await RunDurability.open(run, false, { ...o, flush: async (p) => (flushes.length === 0 ? (await o.flush!(p), await gate) : o.flush!(p)) })
  await d.domain('source_exports', async () => {}, never)
  let during: string[] | null = null
  await d.domain('compiled_exports', async () => {
    during = marksOn(run)
  }, never)
  t.same(during, [], 'compiled ran while source’s flush was still going on, and source was not marked')
  release()
  await d.settled()
  t.same(flushes.map((f) => f.marks), [[], []], 'both flushes ran before any mark')
  t.same(marksOn(run), ['compiled_exports', 'source_exports'])
})

t.test('before the manifest: one flush, then every domain folder of the run marked', async (t) => {
  const run = runWith(t, ['media', 'infra'])
  const { o, flushes } = opts(run, BOOT_A)
  const d = await RunDurability.open(run, false, o)
  await d.domain('media', async () => {}, never)
  await d.beforeManifest()
  t.same(flushes.map((f) => f.marks), [[], ['media']], 'the last flush came before infra’s mark')
  t.same(marksOn(run), ['infra', 'media'])
})

/** A run whose attempt marked `marked`, then stopped while the other domains had no mark yet. */
async function stopped(t: Test, boot: string | null, marked: string[], domains: string[]): Promise<string> {
  const run = runWith(t, domains)
  const { o } = opts(run, boot)
  const d = await RunDurability.open(run, false, o)
  for (const m of marked) await d.domain(m, async () => {}, never)
  await d.settled()
  return run
}

t.test('resume after a kill, the same boot: the unmarked folder is flushed once and kept', async (t) => {
  const run = await stopped(t, BOOT_A, ['media'], ['media', 'compiled_exports'])
  const ino = statSync(path.join(run, 'compiled_exports', 'u1', 'metadata.json')).ino
  const { o, flushes, warnings } = opts(run, BOOT_A)
  const d = await RunDurability.open(run, true, o)
  t.same(flushes, [{ path: run, marks: ['media'] }], 'one flush, before compiled_exports was marked')
  t.same(marksOn(run), ['compiled_exports', 'media'])
  t.ok(d.marked('compiled_exports'))
  t.equal(statSync(path.join(run, 'compiled_exports', 'u1', 'metadata.json')).ino, ino, 'its finished unit kept')
  t.same(warnings, [])
})

t.test('resume after a reboot (another boot id): the unmarked folder is moved aside with one line; the marked one kept', async (t) => {
  const run = await stopped(t, BOOT_A, ['media'], ['media', 'compiled_exports'])
  const { o, flushes, warnings } = opts(run, BOOT_B)
  const d = await RunDurability.open(run, true, o)
  t.notOk(existsSync(path.join(run, 'compiled_exports')), 'not trusted: gone, to be rebuilt')
  t.ok(existsSync(path.join(run, 'media', 'u1', 'metadata.json')), 'the flushed domain is kept')
  t.same(readdirSync(run).sort(), [DURABLE_FILE, 'media'], 'nothing left aside')
  t.same(flushes, [], 'nothing to flush')
  t.equal(warnings.length, 1, 'one line')
  t.match(warnings[0], /^compiled_exports: rebuilt: .*without flushing it to disk and the machine has rebooted since/)
  t.notOk(d.marked('compiled_exports'))
  t.same(docOf(run), { version: 1, boot_id: BOOT_B, domains: { media: docOf(run).domains.media } }, 'the boot id is now this boot’s')
})

t.test('resume with no boot id to compare, or an unreadable durable.json: not trusted', async (t) => {
  const run = await stopped(t, BOOT_A, [], ['db'])
  const none = opts(run, null)
  await RunDurability.open(run, true, none.o)
  t.notOk(existsSync(path.join(run, 'db')))
  t.match(none.warnings, [/^db: rebuilt: .*the boot id cannot be compared/])
  const run2 = runWith(t, ['db'])
  writeFileSync(path.join(run2, DURABLE_FILE), '{"version": 1, "boot_')
  const torn = opts(run2, BOOT_A)
  await RunDurability.open(run2, true, torn.o)
  t.notOk(existsSync(path.join(run2, 'db')))
  t.match(torn.warnings, [/^db: rebuilt: .*its durable\.json is unreadable/])
})

t.test('resume of an older toolkit’s run (no durable.json: an fsync per file): every folder trusted, no flush', async (t) => {
  const run = runWith(t, ['db', 'media'])
  const { o, flushes, warnings } = opts(run, BOOT_B)
  await RunDurability.open(run, true, o)
  t.same(docOf(run), { version: 1, boot_id: BOOT_B, domains: { db: 'fsynced per file', media: 'fsynced per file' } })
  t.same(flushes, [])
  t.same(warnings, [])
})

t.test('readBootId: the kernel’s, or the file CLARA_BACKUP_BOOT_ID_FILE names; null when unreadable', async (t) => {
  const dir = t.testdir({ boot: `${BOOT_A}\n` })
  t.equal(await readBootId({ CLARA_BACKUP_BOOT_ID_FILE: path.join(dir, 'boot') }), BOOT_A)
  t.equal(await readBootId({ CLARA_BACKUP_BOOT_ID_FILE: path.join(dir, 'none') }), null)
  t.match(await readBootId({}), /^[0-9a-f-]{36}$/, '/proc/sys/kernel/random/boot_id')
})
