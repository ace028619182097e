/**
 * The grouped-fsync switch (durability.ts), observed with strace: atomic writes make one fsync per file
 * and one per folder by default, none under CLARA_FLUSH=grouped (the bytes still all land before the
 * rename), and a document written with alwaysSync keeps both.
 */
import t, { type Test } from 'tap'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { bootId, BOOT_ID_FILE, FLUSH_ENV, flushGrouped, perFileEnv } from '../src/durability.js'
import { childEnv, sharedModule, spawnTool, writeScript } from '../src/testkit-spawn.js'

t.test('the switch: only CLARA_FLUSH=grouped groups; perFileEnv drops it', async (t) => {
  t.equal(FLUSH_ENV, 'CLARA_FLUSH')
  t.ok(flushGrouped({ CLARA_FLUSH: 'grouped' }))
  t.notOk(flushGrouped({}))
  t.notOk(flushGrouped({ CLARA_FLUSH: '1' }), 'anything else is the default')
  t.same(perFileEnv({ CLARA_FLUSH: 'grouped', KEEP: 'x' }), { KEEP: 'x' })
})

/** A child that writes three artifacts and one alwaysSync document into `dir`; strace records its fsyncs. */
async function traced(t: Test, env: NodeJS.ProcessEnv): Promise<{ dir: string; syncs: string[] }> {
  const dir = t.testdir({})
  const script = writeScript(
    dir,
    'write',
    `import { writeFileAtomic, writeJsonAtomic } from '${sharedModule('atomic')}'
const dir = process.argv[2]
for (const n of ['a', 'b', 'c']) await writeFileAtomic(dir + '/out/' + n + '.bin', Buffer.alloc(100_000, n))
await writeJsonAtomic(dir + '/out/manifest.json', { done: true }, { alwaysSync: true })
`,
  )
  const log = path.join(dir, 'strace.log')
  const r = await spawnTool('strace', ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', log, process.execPath, script, dir], { env: childEnv(env) })
  t.equal(r.code, 0, r.stderr)
  const out = path.join(dir, 'out')
  // e.g. `123 fsync(21</…/out/.a.bin.123.ab12cd34.tmp>) = 0`: the path each call flushed
  const syncs = readFileSync(log, 'utf8').split('\n').map((l) => /\b(?:fsync|fdatasync)\(\d+<([^>]*)>/.exec(l)?.[1]).filter((p): p is string => Boolean(p?.startsWith(out)))
  return { dir: out, syncs: syncs.map((p) => path.relative(out, p).replace(/\.\d+\.[0-9a-f]{8}\.tmp$/, '.TMP') || '.') }
}

t.test('by default: every artifact fsynced, and its folder after the rename', async (t) => {
  const { dir, syncs } = await traced(t, { [FLUSH_ENV]: undefined })
  t.same(syncs.filter((s) => s !== '.').sort(), ['.a.bin.TMP', '.b.bin.TMP', '.c.bin.TMP', '.manifest.json.TMP'])
  t.equal(syncs.filter((s) => s === '.').length, 4, 'the folder once per rename')
  t.same(readdirSync(dir).sort(), ['a.bin', 'b.bin', 'c.bin', 'manifest.json'])
})

t.test('CLARA_FLUSH=grouped: no fsync but the alwaysSync document’s; every file whole under its name', async (t) => {
  const { dir, syncs } = await traced(t, { [FLUSH_ENV]: 'grouped' })
  t.same(syncs, ['.manifest.json.TMP', '.'], 'only the document written with alwaysSync (file, then folder)')
  t.same(readdirSync(dir).sort(), ['a.bin', 'b.bin', 'c.bin', 'manifest.json'], 'no temp left')
  for (const n of ['a', 'b', 'c']) t.same(readFileSync(path.join(dir, `${n}.bin`)), Buffer.alloc(100_000, n), `${n}.bin whole`)
})

t.test('bootId: the kernel’s, or a named file’s trimmed text; null when there is none', async (t) => {
  t.match(bootId(), /^[0-9a-f-]{36}$/, `${BOOT_ID_FILE} on Linux`)
  const dir = t.testdir({})
  writeFileSync(path.join(dir, 'id'), '  another-boot\n')
  t.equal(bootId(path.join(dir, 'id')), 'another-boot')
  writeFileSync(path.join(dir, 'empty'), '\n')
  t.equal(bootId(path.join(dir, 'empty')), null, 'an empty file names no boot')
  t.equal(bootId(path.join(dir, 'missing')), null, 'nor a missing one')
})
