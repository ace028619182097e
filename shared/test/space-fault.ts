import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { childEnv, sharedModule, spawnTool, writeScript } from '../src/testkit-spawn.js'

// The variable is read once per process, so each case runs in a child of its own.
function writer(dir: string): string {
  return writeScript(
    dir,
    'writer',
    `import { writeFileAtomic } from '${sharedModule('atomic')}'
const out = []
for (const [name, bytes] of [['a.bin', 6], ['b.bin', 6], ['c.bin', 1]]) {
  try {
    await writeFileAtomic(process.argv[2] + '/' + name, Buffer.alloc(bytes, 120))
    out.push({ name, ok: true })
  } catch (err) {
    out.push({ name, code: err.code, message: err.message })
  }
}
process.stdout.write(JSON.stringify(out))
`,
  )
}

t.test('CLARA_FAULT_ENOSPC_AFTER: writes past the budget fail with ENOSPC; nothing partial under a final name', async (t) => {
  const dir = t.testdir({ out: {} })
  const out = path.join(dir, 'out')
  const r = await spawnTool('node', [writer(dir), out], { env: childEnv({ CLARA_FAULT_ENOSPC_AFTER: '10' }) })
  t.equal(r.code, 0, r.stderr)
  const res = JSON.parse(r.stdout)
  t.same(res[0], { name: 'a.bin', ok: true }, 'the first 6 bytes fit')
  t.match(res[1], { name: 'b.bin', code: 'ENOSPC', message: /^ENOSPC: no space left on device, write '.*\.b\.bin\.\d+\.[0-9a-f]+\.tmp' \(injected by CLARA_FAULT_ENOSPC_AFTER=10\)$/ }, 'the next 6 do not (4 left)')
  t.match(res[2], { name: 'c.bin', code: 'ENOSPC' }, 'and once the budget is spent, every write fails')
  t.same(readdirSync(out), ['a.bin'], 'only the whole file stands; the partial temp files were removed')
  t.equal(readFileSync(path.join(out, 'a.bin'), 'utf8'), 'xxxxxx')
})

t.test('unset, nothing is injected; a value that is not a number of bytes is an error naming it', async (t) => {
  const dir = t.testdir({ plain: {}, bad: {} })
  const script = writer(dir)
  const plain = await spawnTool('node', [script, path.join(dir, 'plain')], { env: childEnv({ CLARA_FAULT_ENOSPC_AFTER: '' }) })
  t.same(JSON.parse(plain.stdout).map((x: { ok?: boolean }) => x.ok), [true, true, true], 'every write succeeds')
  const bad = await spawnTool('node', [script, path.join(dir, 'bad')], { env: childEnv({ CLARA_FAULT_ENOSPC_AFTER: '10k' }) })
  t.match(JSON.parse(bad.stdout)[0], { name: 'a.bin', message: 'CLARA_FAULT_ENOSPC_AFTER=10k: expected a whole number of bytes' })
  t.same(readdirSync(path.join(dir, 'bad')), [], 'and nothing is written')
})
