import t from 'tap'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { promises as fsp, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { filesUnder, runMain } from '@clara/shared/testkit'
import { scanForSecrets } from '@clara/shared/redact'
import { main } from '../src/main.js'

/** Every planted value contains PLANTED; nothing else the test writes does. */
function secretsFor(tag: string) {
  return {
    sk: `sk-PLANTED${tag}openai0123456789abcdefXYZ`,
    pemRaw: `MIIEvQIBADANBgkqhkiG9w0PLANTED${tag}raw`,
    pemJson: `MIIEvgIBADANBgkqhkiGPLANTED${tag}json`,
    keyId: `PLANTEDkeyid${tag}`,
    akia: `AKIAPLANTED${tag.padEnd(9, '7').slice(0, 9).toUpperCase()}`,
    awsSecret: `PLANTED${tag}/aws`.padEnd(40, 'K'),
    dbPassword: `PLANTEDdb${tag}pw`,
    django: `PLANTED-django-${tag}-secret`,
    freeOpenAi: `sk-PLANTED${tag}freetext0123456789abcd`,
    token: `PLANTEDtoken${tag}`,
    password: `PLANTED pass ${tag}`,
    bearer: `PLANTEDbearer${tag}`,
  }
}
type Secrets = ReturnType<typeof secretsFor>

/** Free text holding every kind of secret: what a transcript or a careless config can contain. */
function bundle(s: Secrets): string {
  const google = JSON.stringify({
    type: 'service_account',
    private_key_id: s.keyId,
    private_key: `-----BEGIN PRIVATE KEY-----\n${s.pemJson}\n-----END PRIVATE KEY-----\n`,
    client_email: 'tts@example.invalid',
  })
  return [
    `# pasted from a transcript: export OPENAI_API_KEY='${s.freeOpenAi}'`,
    `export OPENAI_API_KEY='${s.freeOpenAi}'`,
    `export DJANGO_SECRET_KEY='${s.django}'`,
    `export GOOGLE_CREDENTIALS_JSON='${google}'`,
    '-----BEGIN RSA PRIVATE KEY-----',
    s.pemRaw,
    'AAAAB3NzaC1yc2E=',
    '-----END RSA PRIVATE KEY-----',
    `# aws_access_key_id = ${s.akia}`,
    `# aws_secret_access_key = ${s.awsSecret}`,
    `# DATABASE_URL=postgres://clara:${s.dbPassword}@db.example.invalid:5432/clara`,
    `# MY_SERVICE_TOKEN=${s.token}`,
    `# SMTP_PASSWORD="${s.password}"`,
    `# in running text the key ${s.sk} was used`,
    '',
  ].join('\n')
}

function allValues(...ss: Secrets[]): string[] {
  return ss.flatMap((s) => Object.values(s))
}

function gitRepo(dir: string, subject: string): string {
  const git = (...a: string[]) => execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'n', GIT_AUTHOR_EMAIL: 'n@example.invalid', GIT_COMMITTER_NAME: 'n', GIT_COMMITTER_EMAIL: 'n@example.invalid' } })
  git('init', '-q', '-b', 'main')
  git('add', 'clara_app')
  git('commit', '-q', '-m', subject)
  git('remote', 'add', 'origin', 'https://user:PLANTEDTOKEN@example.invalid/x.git')
  git('config', 'remote.origin.pushurl', 'https://PLANTEDghtoken@example.invalid/x.git')
  return git('rev-parse', 'HEAD').trim()
}

function treeHash(dir: string): string {
  const h = createHash('sha256')
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name)
      const st = statSync(p)
      h.update(`${p}\0${st.mtimeMs}\0`)
      if (st.isDirectory()) walk(p)
      else h.update(readFileSync(p))
    }
  }
  walk(dir)
  return h.digest('hex')
}

t.test('planted secrets in every input never reach infra/, stdout or stderr', async (t) => {
  const root = t.testdir({
    clara: { clara_app: { 'config.ini': '[paths]\n', clara_core: { 'readspeaker_license_key.txt': 'PLANTEDreadspeaker\n' } }, audio: { 'a.mp3': 'x' }, clara_content: { p: { 'f.txt': 'y' } } },
  })
  const clara = path.join(root, 'clara')
  const S = { env: secretsFor('env'), set: secretsFor('set'), ngx: secretsFor('ngx'), unit: secretsFor('unit'), ef: secretsFor('ef'), cron: secretsFor('cron'), proc: secretsFor('proc') }
  const head = gitRepo(clara, `deploy with OPENAI_API_KEY=${S.proc.sk}`)
  const files: Record<string, string> = {
    'clara.env': [`export CLARA=${clara}`, 'export CLARA_ENVIRONMENT=unisa', 'export DB_TYPE=postgres', `export DATABASE_URL=postgres://clara:${S.env.dbPassword}@localhost:5432/clara`, `export AWS_ACCESS_KEY=${S.env.akia}`, `export AWS_SECRET_ACCESS_KEY='${S.env.awsSecret}'`, `export GEMINI_API_KEY=${S.env.token}`, `export SITE_PASSWORD="${S.env.password}"`, 'export AWS_REGION=ap-southeast-2', bundle(S.env)].join('\n'),
    'settings.py': [`SECRET_KEY = '${S.set.django}'`, `DATABASES = {'default': {'NAME': 'clara', 'PASSWORD': '${S.set.password}'}}`, bundle(S.set)].join('\n'),
    'clara.nginx': [`env DJANGO_SECRET_KEY=${S.ngx.django};`, 'server {', '  server_name c-lara.example.invalid;', `  location /static/ { root ${clara}; }`, `  location / { proxy_pass http://unix:${clara}/gunicorn.sock; proxy_set_header Authorization "Bearer ${S.ngx.bearer}"; }`, `  location /db { proxy_pass http://u:${S.ngx.dbPassword}@127.0.0.1:9000; }`, '}', bundle(S.ngx)].join('\n'),
    'gunicorn.service': ['[Service]', `WorkingDirectory=${clara}`, `Environment=DJANGO_SECRET_KEY=${S.unit.django}`, `Environment="API_TOKEN=${S.unit.password}" "DB_TYPE=postgres"`, `EnvironmentFile=-${root}/unit.env`, `ExecStart=/srv/env/bin/gunicorn --bind unix:${clara}/gunicorn.sock clara_project.wsgi:application`, bundle(S.unit)].join('\n'),
    'unit.env': [`OPENAI_API_KEY=${S.ef.sk}`, `ANTHROPIC_API_KEY="${S.ef.freeOpenAi}"`, bundle(S.ef)].join('\n'),
    'crontab': ['MAILTO=admin@example.invalid', `0 3 * * * PGPASSWORD=${S.cron.dbPassword} pg_dump clara > /srv/d.sql`, `*/5 * * * * curl -H "Authorization: Bearer ${S.cron.bearer}" https://example.invalid/ping`, bundle(S.cron)].join('\n'),
  }
  for (const [name, text] of Object.entries(files)) await fsp.writeFile(path.join(root, name), text)
  const env = { PATH: process.env.PATH, DJANGO_SECRET_KEY: S.proc.django, OPENAI_API_KEY: S.proc.sk, XAI_API_KEY: S.proc.token, DATABASE_URL: `postgres://c:${S.proc.dbPassword}@h/db`, TMPDIR: '/var/tmp' }
  const before = treeHash(path.join(clara, '.git'))
  const dest = path.join(root, 'run')
  const argv = ['--clara', clara, '--dest', dest, '--env-file', `${root}/clara.env`, '--settings', `${root}/settings.py`, `--settings`, `${root}/absent.py`]
  argv.push('--settings', `${clara}/clara_app/clara_core/readspeaker_license_key.txt`)
  argv.push('--nginx', `${root}/clara.nginx`, '--systemd', `${root}/gunicorn.service`, '--systemd', `${root}/qcluster.service`, '--crontab', `${root}/crontab`)
  const r = await runMain(main, { argv, env, cwd: root })
  t.equal(r.code, 0, r.stderr)

  const planted = [...allValues(...Object.values(S)), 'PLANTEDTOKEN', 'PLANTEDghtoken']
  for (const file of filesUnder(dest)) {
    const buf = await fsp.readFile(file)
    t.notOk(buf.includes('PLANTED'), `no planted byte in ${path.relative(dest, file)}`)
    t.same(scanForSecrets(buf, { planted }), [], `${path.relative(dest, file)} scans clean`)
  }
  t.notOk(r.stdout.includes('PLANTED'), 'stdout clean')
  t.notOk(r.stderr.includes('PLANTED'), 'stderr clean')
  t.equal(treeHash(path.join(clara, '.git')), before, 'the checkout is not written to')

  const read = (n: string) => readFileSync(path.join(dest, 'infra', n), 'utf8')
  const sample = read('.env.sample')
  t.match(sample, new RegExp(`^CLARA=${clara}$`, 'm'))
  t.match(sample, /^DB_TYPE=postgres$/m)
  t.match(sample, /^CLARA_ENVIRONMENT=unisa$/m)
  t.match(sample, /^AWS_REGION=ap-southeast-2$/m)
  t.match(sample, /^DJANGO_SECRET_KEY=<redacted>$/m)
  t.match(sample, /^OPENAI_API_KEY=<redacted>$/m)
  t.match(sample, /^DATABASE_URL=postgres:\/\/clara:\*\*\*@localhost:5432\/clara$/m)
  t.match(sample, /^TMPDIR=\/var\/tmp$/m, 'from the process environment')
  const snap = read('settings_snapshot.txt')
  t.match(snap, `## env-file ${root}/unit.env`, 'EnvironmentFile= followed')
  t.match(snap, "'NAME': 'clara'", 'settings copy keeps non-secret values')
  t.match(read('nginx/clara.nginx'), `proxy_pass http://unix:${clara}/gunicorn.sock;`)
  t.match(read('systemd_units/gunicorn.service'), `WorkingDirectory=${clara}`)
  t.match(read('crontab.txt'), 'pg_dump clara > /srv/d.sql')
  const gi = read('git_info.txt')
  t.match(gi, `head: ${head}`)
  t.match(gi, 'branch: main')
  t.match(gi, 'remote.origin.url: https://example.invalid/x.git')
  t.match(gi, 'remote.origin.pushurl: https://example.invalid/x.git')
  t.match(gi, /^ {2}audio\/$/m)
  t.match(gi, /^ {2}clara_content\/$/m)

  const index = JSON.parse(read('index.json'))
  t.equal(index.version, 1)
  const paths = index.entries.map((e: { path: string }) => e.path)
  t.same(paths, [...paths].sort(), 'entries sorted')
  const onDisk = (filesUnder(path.join(dest, 'infra'))).map((f) => path.relative(dest, f)).filter((p) => p !== 'infra/index.json')
  t.same(paths, onDisk, 'index lists exactly the files on disk')
  for (const e of index.entries) {
    const buf = readFileSync(path.join(dest, e.path))
    t.equal(createHash('sha256').update(buf).digest('hex'), e.sha256, `${e.path} sha256`)
    t.equal(buf.length, e.size_bytes)
    t.equal(statSync(path.join(dest, e.path)).mode & 0o777, 0o640)
  }
  t.equal(statSync(path.join(dest, 'infra')).mode & 0o777, 0o750)
  t.equal(statSync(path.join(dest, 'infra/systemd_units')).mode & 0o777, 0o750)
  t.ok(index.entries.find((e: { name: string }) => e.name === 'settings_snapshot.txt').redactions > 10)
  t.same(index.missing.map((m: { kind: string; source: string }) => `${m.kind} ${path.basename(m.source)}`).sort(), ['settings absent.py', 'settings readspeaker_license_key.txt', 'systemd qcluster.service'])
  t.match(snap, `present (19 bytes)  ${clara}/clara_app/clara_core/readspeaker_license_key.txt`, 'a secret file is listed, never copied')

  const arts = r.records.filter((x) => x.type === 'artifact') as Record<string, unknown>[]
  t.same(arts.map((a) => a.path), paths)
  t.ok(arts.every((a) => a.domain === 'infra'))
  t.equal(r.records.filter((x) => x.type === 'warning').length, 3)
  t.match(r.records.at(-2), { type: 'summary', tool: 'clara-infra', ok: paths.length, failed: 0, missing: 3 })
  t.same(r.records.at(-1), { type: 'end', count: r.records.length - 1 })
})

t.test('missing inputs are recorded, not fatal; a directory outside git is said so', async (t) => {
  const root = t.testdir({ clara: { audio: {} }, bin: {} })
  // only git on PATH, so `crontab` is missing whatever this machine has
  await fsp.symlink(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), path.join(root, 'bin/git'))
  const dest = path.join(root, 'run')
  const argv = ['--clara', 'clara', '--dest', 'run', '--env-file', 'no.env', '--nginx', 'no/site.conf', '--systemd', 'no/*.service', '--crontab-user', 'nobody', '--no-process-env']
  const r = await runMain(main, { argv, env: { PATH: path.join(root, 'bin') }, cwd: root })
  t.equal(r.code, 0, r.stderr)
  const index = JSON.parse(readFileSync(path.join(dest, 'infra/index.json'), 'utf8'))
  t.same(index.entries.map((e: { name: string }) => e.name), ['.env.sample', 'git_info.txt', 'settings_snapshot.txt'])
  t.same(index.missing.map((m: { kind: string }) => m.kind), ['env-file', 'nginx', 'systemd', 'crontab'])
  t.match(index.missing[3], { source: 'crontab -l -u nobody', reason: 'crontab command not found' })
  t.match(readFileSync(path.join(dest, 'infra/git_info.txt'), 'utf8'), /^git: no \(/m, 'the enclosing repo is not reported')
  const warnings = r.records.filter((x) => x.type === 'warning')
  t.equal(warnings.length, 5)
  t.match(r.stderr, 'nginx input not captured: not found')
})

t.test('an unreadable input is an error record and exit 1; a rerun drops files no longer captured', async (t) => {
  const root = t.testdir({ clara: {}, 'a.conf': 'server { listen 80; }\n', 'b.conf': 'server { listen 81; }\n' })
  execFileSync('mkfifo', [path.join(root, 'fifo.conf')])
  const base = ['--clara', 'clara', '--dest', 'run', '--systemd', 'none', '--crontab', 'none', '--no-process-env']
  const r1 = await runMain(main, { argv: [...base, '--nginx', 'a.conf', '--nginx', 'b.conf', '--nginx', 'fifo.conf'], cwd: root, env: { PATH: process.env.PATH } })
  t.equal(r1.code, 1)
  t.match(r1.records.find((x) => x.type === 'error'), { during: 'infra', item: path.join(root, 'fifo.conf'), code: 'ENOTFILE' })
  t.ok(statSync(path.join(root, 'run/infra/nginx/b.conf')).isFile())
  const r2 = await runMain(main, { argv: [...base, '--nginx', 'a.conf'], cwd: root, env: { PATH: process.env.PATH } })
  t.equal(r2.code, 0, r2.stderr)
  t.same(readdirSync(path.join(root, 'run/infra/nginx')), ['a.conf'])
  const index = JSON.parse(readFileSync(path.join(root, 'run/infra/index.json'), 'utf8'))
  t.same(index.missing, [], '"none" turns an input off without recording it missing')
})

t.test('a sites-enabled link is one copy with an alias', async (t) => {
  const root = t.testdir({ clara: {}, avail: { 'clara.conf': 'server {}\n' }, enabled: {} })
  await fsp.symlink('../avail/clara.conf', path.join(root, 'enabled/clara.conf'))
  const argv = ['--clara', 'clara', '--dest', 'run', '--nginx', 'avail/*clara*', '--nginx', 'enabled/*clara*', '--systemd', 'none', '--crontab', 'none']
  const r = await runMain(main, { argv, cwd: root, env: {} })
  t.equal(r.code, 0, r.stderr)
  const index = JSON.parse(readFileSync(path.join(root, 'run/infra/index.json'), 'utf8'))
  const ngx = index.entries.filter((e: { name: string }) => e.name.startsWith('nginx/'))
  t.same(ngx.map((e: { name: string; aliases: string[] }) => [e.name, e.aliases]), [['nginx/clara.conf', [path.join(root, 'enabled/clara.conf')]]])
})

t.test('--dry-run: the same inputs read and redacted, the same files planned (sizes, sha256), nothing written', async (t) => {
  const S = secretsFor('dry')
  const root = t.testdir({
    clara: { clara_app: { 'config.ini': '[paths]\n' } },
    'clara.env': `export DJANGO_SECRET_KEY='${S.django}'\nexport DB_TYPE=postgres\n`,
    'clara.nginx': `server { proxy_set_header Authorization "Bearer ${S.bearer}"; }\n`,
    'gunicorn.service': `[Service]\nEnvironment=OPENAI_API_KEY=${S.sk}\n`,
    crontab: `0 3 * * * PGPASSWORD=${S.dbPassword} pg_dump clara\n`,
    run: { 'notes.txt': 'already here\n', media: { 'a.txt': 'a' } },
  })
  const clara = path.join(root, 'clara')
  gitRepo(clara, 'initial')
  const argv = (dest: string) => ['--clara', clara, '--dest', dest, '--env-file', `${root}/clara.env`, '--nginx', `${root}/clara.nginx`, '--systemd', `${root}/gunicorn.service`, '--crontab', `${root}/crontab`, '--no-process-env']
  const dest = path.join(root, 'run')
  const before = treeHash(dest)
  const git = treeHash(path.join(clara, '.git'))
  const d = await runMain(main, { argv: [...argv(dest), '--dry-run'], env: { PATH: process.env.PATH }, cwd: root })
  t.equal(d.code, 0, d.stderr)
  t.equal(treeHash(dest), before, 'the run directory is unchanged: no infra/, no index.json, no temp file')
  t.notOk(readdirSync(dest).includes('infra'))
  t.equal(treeHash(path.join(clara, '.git')), git, 'the checkout is not written to')
  t.notOk(d.stdout.includes('PLANTED') || d.stderr.includes('PLANTED'), 'no secret in the output')
  const planned = d.records.filter((x) => x.type === 'artifact') as Record<string, any>[]
  t.same(planned.map((a) => a.path), ['infra/.env.sample', 'infra/crontab.txt', 'infra/git_info.txt', 'infra/nginx/clara.nginx', 'infra/settings_snapshot.txt', 'infra/systemd_units/gunicorn.service'])
  t.ok(planned.every((a) => a.planned === true && a.domain === 'infra' && /^[0-9a-f]{64}$/.test(a.sha256) && a.size_bytes > 0), 'each planned, with its size and sha256')
  t.match(d.records.at(-2), { type: 'summary', tool: 'clara-infra', ok: planned.length, failed: 0, planned: true })

  const realDest = path.join(root, 'real')
  const r = await runMain(main, { argv: argv(realDest), env: { PATH: process.env.PATH }, cwd: root })
  t.equal(r.code, 0, r.stderr)
  const real = r.records.filter((x) => x.type === 'artifact') as Record<string, any>[]
  t.same(planned.map((a) => a.path), real.map((a) => a.path), 'a real run writes exactly the planned files')
  for (const a of planned) {
    const buf = readFileSync(path.join(realDest, a.path))
    t.equal(a.size_bytes, buf.length, `${a.path}: the size a real run writes`)
    t.equal(a.sha256, createHash('sha256').update(buf).digest('hex'), `${a.path}: the same bytes`)
  }
})

t.test('usage', async (t) => {
  const help = await runMain(main, { argv: ['--help'] })
  t.equal(help.code, 0)
  t.match(help.stdout, '--crontab-user')
  t.equal(help.stderr, '')
  const noClara = await runMain(main, { argv: ['--dest', '/tmp/x'] })
  t.equal(noClara.code, 2)
  t.equal(noClara.stdout, '')
  const root = t.testdir({})
  const bad = await runMain(main, { argv: ['--clara', 'nope', '--dest', 'run'], cwd: root })
  t.equal(bad.code, 2)
  t.match(bad.stderr, 'not a directory')
  t.notOk(readdirSync(root).includes('run'), 'nothing written')
  const both = await runMain(main, { argv: ['--clara', '.', '--dest', 'run', '--crontab', 'f', '--crontab-user', 'u'], cwd: root })
  t.equal(both.code, 2)
})
