import t from 'tap'
import { execFileSync } from 'node:child_process'
import { promises as fsp, statSync } from 'node:fs'
import path from 'node:path'
import { gitInfo, parseStatus } from '../src/git-info.js'

const ID = { GIT_AUTHOR_NAME: 'n', GIT_AUTHOR_EMAIL: 'n@example.invalid', GIT_COMMITTER_NAME: 'n', GIT_COMMITTER_EMAIL: 'n@example.invalid' }
const git = (dir: string, ...a: string[]) => execFileSync('git', ['-C', dir, ...a], { encoding: 'utf8', env: { ...process.env, ...ID } })

t.test('parseStatus sorts entries into tracked changes, untracked and ignored top-level names', async (t) => {
  const z = [' M clara_app/a.py', 'R  new.py', 'old.py', '?? audio/', '?? db.sqlite3', '?? prompt_templates/new/', '?? prompt_templates/x.txt', '!! logs/', '!! clara_app/__pycache__/', ''].join('\0')
  const s = parseStatus(z)
  t.equal(s.tracked, 2)
  t.same(s.untracked, ['audio/', 'db.sqlite3'])
  t.same([...s.partly], [['prompt_templates/', 2]])
  t.same(s.ignored, ['logs/'])
})

t.test('a checkout: head, branch, dirty state, untracked data, remotes without credentials; read-only', async (t) => {
  const dir = t.testdir({ clara_app: { 'a.py': 'a\n' }, prompt_templates: { 'p.txt': 'p\n' } })
  git(dir, 'init', '-q', '-b', 'unisa')
  git(dir, 'add', '.')
  git(dir, 'commit', '-q', '-m', 'first')
  git(dir, 'remote', 'add', 'origin', 'https://user:PLANTEDTOKEN@example.invalid/x.git')
  git(dir, 'remote', 'add', 'mirror', 'ssh://git:PLANTEDpw@example.invalid/x.git')
  await fsp.mkdir(path.join(dir, 'audio/tts_repository_orm'), { recursive: true })
  await fsp.writeFile(path.join(dir, 'audio/tts_repository_orm/a.mp3'), 'x')
  await fsp.writeFile(path.join(dir, 'prompt_templates/new.txt'), 'n\n')
  await fsp.writeFile(path.join(dir, 'clara_app/a.py'), 'changed\n')
  const sha = git(dir, 'rev-parse', 'HEAD').trim()
  const indexMtime = statSync(path.join(dir, '.git/index')).mtimeMs
  // owned by someone else, as when root backs up the app user's checkout (git's safe.directory check)
  const root = process.getuid?.() === 0
  if (root) execFileSync('chown', ['-R', '65534:65534', dir])
  const info = await gitInfo(dir, process.env)
  t.equal(info.notGit, undefined)
  t.match(info.text, `head: ${sha}`)
  t.match(info.text, 'branch: unisa')
  t.match(info.text, 'subject: first')
  t.match(info.text, 'dirty: yes (1 tracked change, 2 untracked top-level entries)')
  t.match(info.text, /^ {2}audio\/$/m)
  t.match(info.text, /^ {2}prompt_templates\/ \(1\)$/m)
  t.match(info.text, 'remote.origin.url: https://example.invalid/x.git')
  t.match(info.text, 'remote.mirror.url: ssh://git@example.invalid/x.git')
  t.notOk(info.text.includes('PLANTED'))
  t.equal(statSync(path.join(dir, '.git/index')).mtimeMs, indexMtime, 'status did not rewrite the index')
  if (root) execFileSync('chown', ['-R', '0:0', dir])
})

t.test('not a checkout, and a subdirectory of one', async (t) => {
  const dir = t.testdir({ plain: {}, repo: { sub: { 'f.txt': 'f' } } })
  const plain = await gitInfo(path.join(dir, 'plain'), process.env)
  t.ok(plain.notGit)
  t.match(plain.text, /^git: no \(/m)
  git(path.join(dir, 'repo'), 'init', '-q')
  const sub = await gitInfo(path.join(dir, 'repo/sub'), process.env)
  t.ok(sub.notGit, 'only the checkout root counts ($CLARA is the root)')
})
