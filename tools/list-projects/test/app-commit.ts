import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { mkdtempSync, rmSync } from 'node:fs'
import { appCommit } from '../src/app-commit.js'

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).trim()

t.test('the HEAD commit when $CLARA is a git checkout, else null', async (t) => {
  // outside the repo under test, so "inside another checkout" is a separate case
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'clara-commit-'))
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }))
  const clara = path.join(tmp, 'clara')
  mkdirSync(clara)
  t.equal(await appCommit(clara, process.env), null, 'not a checkout')
  git(clara, 'init', '-q')
  t.equal(await appCommit(clara, process.env), null, 'a checkout without commits')
  git(clara, 'commit', '-q', '--allow-empty', '-m', 'x')
  const head = git(clara, 'rev-parse', 'HEAD')
  t.equal(await appCommit(clara, process.env), head)
  t.equal(await appCommit(clara, { ...process.env, GIT_DIR: '/nonexistent' }), head, 'GIT_* variables are ignored')
  const sub = path.join(clara, 'clara_content')
  mkdirSync(sub)
  t.equal(await appCommit(sub, process.env), null, 'a directory inside some other checkout is not a checkout of its own')
})
