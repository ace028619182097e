/** Two captures of an unchanged install give byte-identical files: nothing in infra/ but index.json's created_at says when. */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { repoRoot, runMain } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'

async function fixture(clara: string): Promise<void> {
  const r = await spawnTool('node', [path.join(repoRoot(), 'tools', 'fixture', 'bin.js'), '--clara', clara, '--quiet'], { env: childEnv() })
  if (r.code !== 0) throw new Error(`clara-fixture failed (exit ${r.code}; is tools/fixture built?): ${r.stderr}`)
}

/** `rel path → bytes` of every file under `dir`. */
async function tree(dir: string, base = dir, out = new Map<string, Buffer>()): Promise<Map<string, Buffer>> {
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) await tree(p, base, out)
    else out.set(path.relative(base, p), await fsp.readFile(p))
  }
  return out
}

t.test('two captures of an unchanged install: the same files, byte for byte; index.json differs only in created_at', async (t) => {
  const root = t.testdir({})
  const clara = path.join(root, 'clara')
  await fixture(clara)
  const git = (...a: string[]) => execFileSync('git', ['-C', clara, ...a], { env: { ...process.env, GIT_AUTHOR_NAME: 'n', GIT_AUTHOR_EMAIL: 'n@example.invalid', GIT_COMMITTER_NAME: 'n', GIT_COMMITTER_EMAIL: 'n@example.invalid' } })
  git('init', '-q', '-b', 'main')
  git('add', 'clara_app', 'manage.py')
  git('commit', '-q', '-m', 'deploy')
  await fsp.writeFile(path.join(root, 'clara.nginx'), `server {\n  location /static/ { root ${clara}; }\n  location / { proxy_pass http://unix:${clara}/gunicorn.sock; }\n}\n`)
  await fsp.writeFile(path.join(root, 'gunicorn.service'), `[Service]\nWorkingDirectory=${clara}\nEnvironment=DB_TYPE=sqlite\nEnvironment=DJANGO_SECRET_KEY=PLANTED-unit-secret-unchanged\n`)
  await fsp.writeFile(path.join(root, 'crontab'), `0 3 * * * cd ${clara} && ./backup_all.sh\nOPENAI_API_KEY=sk-PLANTED-unchanged-0123456789abcdef\n`)
  const argv = (dest: string) => ['--clara', clara, '--dest', dest, '--env-file', path.join(clara, '.env.clara'), '--nginx', path.join(root, 'clara.nginx'), '--systemd', path.join(root, 'gunicorn.service'), '--crontab', path.join(root, 'crontab')]
  const capture = async (dest: string) => {
    const r = await runMain(main, { argv: argv(dest), env: { PATH: process.env.PATH, CLARA: clara }, cwd: root })
    t.equal(r.code, 0, r.stderr)
    return tree(path.join(dest, 'infra'))
  }

  const a = await capture(path.join(root, 'a'))
  const b = await capture(path.join(root, 'b'))
  const again = await capture(path.join(root, 'a'))
  t.same([...a.keys()].sort(), ['.env.sample', 'crontab.txt', 'git_info.txt', 'index.json', 'nginx/clara.nginx', 'settings_snapshot.txt', 'systemd_units/gunicorn.service'], 'every kind of input captured')
  const snap = a.get('settings_snapshot.txt')!.toString('utf8')
  t.equal(snap.split('\n')[0], "# settings_snapshot.txt written by clara-infra: C-LARA's settings from every input", 'a header without the time')
  t.match(snap, `## env-file ${clara}/.env.clara`, 'the env file copied into it')

  const index = (m: Map<string, Buffer>) => JSON.parse(m.get('index.json')!.toString('utf8'))
  for (const [label, other] of [['another run folder', b], ['a rerun into the same folder', again]] as const) {
    t.same([...other.keys()].sort(), [...a.keys()].sort(), `${label}: the same files`)
    for (const [name, bytes] of a) if (name !== 'index.json') t.ok(bytes.equals(other.get(name)!), `${label}: ${name} byte-identical`)
    const { created_at: _, ...rest } = index(other)
    const { created_at: __, ...first } = index(a)
    t.same(rest, first, `${label}: index.json the same but for created_at`)
  }
  const when = index(b).created_at as string
  t.match(when, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  for (const [name, bytes] of b) if (name !== 'index.json') t.notOk(bytes.includes(when), `${name}: not the run's time`)
})
