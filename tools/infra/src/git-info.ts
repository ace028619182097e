/** What code the install runs: git HEAD, branch, dirty state, remotes (credentials stripped), untracked data. */
import { execFile } from 'node:child_process'
import { promises as fsp } from 'node:fs'
import path from 'node:path'
import { stripUrlCredentials } from '@clara/shared/redact'

export interface GitInfo {
  text: string
  /** set when the directory is not the root of a git checkout */
  notGit?: string
}

type Git = (args: string[]) => Promise<{ ok: boolean; out: string; err: string }>

/**
 * Read-only git: no optional locks (status does not rewrite the index), no fsmonitor hook, no
 * search above the checkout, and `safe.directory` for a checkout owned by another user.
 */
function gitIn(dir: string, env: NodeJS.ProcessEnv): Git {
  const { GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE, ...rest } = env
  void GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE
  const genv = { ...rest, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', GIT_CEILING_DIRECTORIES: path.dirname(dir), LC_ALL: 'C' }
  const pre = ['-c', `safe.directory=${dir}`, '-c', 'core.fsmonitor=false', '--no-optional-locks', '-C', dir]
  return (args) =>
    new Promise((resolve) => {
      execFile('git', [...pre, ...args], { env: genv, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, out, e) =>
        resolve({ ok: !err, out, err: (e || (err as NodeJS.ErrnoException | null)?.code || '').toString().trim() }),
      )
    })
}

interface Status {
  tracked: number
  untracked: string[]
  partly: Map<string, number>
  ignored: string[]
}

/** Parse `status --porcelain=v1 -z`: tracked changes, and untracked/ignored entries by top-level name. */
export function parseStatus(z: string): Status {
  const s: Status = { tracked: 0, untracked: [], partly: new Map(), ignored: [] }
  const parts = z.split('\0')
  for (let i = 0; i < parts.length; i++) {
    const e = parts[i]
    if (e.length < 4) continue
    const xy = e.slice(0, 2)
    const p = e.slice(3)
    if (xy[0] === 'R' || xy[0] === 'C') i++ // the source path follows
    if (xy !== '??' && xy !== '!!') {
      s.tracked++
      continue
    }
    const slash = p.indexOf('/')
    const topLevel = slash === -1 || slash === p.length - 1
    if (xy === '!!') {
      if (topLevel) s.ignored.push(p)
    } else if (topLevel) s.untracked.push(p)
    else s.partly.set(p.slice(0, slash + 1), (s.partly.get(p.slice(0, slash + 1)) ?? 0) + 1)
  }
  return s
}

async function head(git: Git): Promise<string[]> {
  const sha = await git(['rev-parse', '--verify', '-q', 'HEAD'])
  const branch = await git(['symbolic-ref', '--short', '-q', 'HEAD'])
  const lines = [`head: ${sha.ok ? sha.out.trim() : '(no commit yet)'}`, `branch: ${branch.ok ? branch.out.trim() : '(detached HEAD)'}`]
  if (sha.ok) {
    const log = await git(['log', '-1', '--format=%cI%x00%s', 'HEAD'])
    const [date, subject] = log.out.trim().split('\0')
    lines.push(`commit_date: ${date ?? ''}`, `subject: ${subject ?? ''}`)
  }
  return lines
}

async function remotes(git: Git): Promise<string[]> {
  const r = await git(['config', '--get-regexp', '^remote\\..*\\.(url|pushurl)$'])
  if (!r.ok) return ['remotes: (none)']
  return r.out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const sp = l.indexOf(' ')
      return `${l.slice(0, sp)}: ${stripUrlCredentials(l.slice(sp + 1))}`
    })
}

function statusLines(s: Status): string[] {
  const list = (xs: string[]) => (xs.length ? xs.sort().map((x) => `  ${x}`) : ['  (none)'])
  return [
    `dirty: ${s.tracked ? 'yes' : 'no'} (${s.tracked} tracked change${s.tracked === 1 ? '' : 's'}, ${s.untracked.length + s.partly.size} untracked top-level entries)`,
    'untracked top-level entries (data, not code; $CLARA is both the checkout and the data root):',
    ...list(s.untracked),
    'tracked directories holding untracked entries (entry count):',
    ...list([...s.partly].map(([d, n]) => `${d} (${n})`)),
    'ignored top-level entries:',
    ...list(s.ignored),
  ]
}

/** Describe the checkout at `dir` as text; a directory that is not a checkout root says so. */
export async function gitInfo(dir: string, env: NodeJS.ProcessEnv): Promise<GitInfo> {
  const abs = await fsp.realpath(dir).catch(() => path.resolve(dir))
  const git = gitIn(abs, env)
  const lines = ['# git_info.txt written by clara-infra: the code revision of the C-LARA checkout', `checkout: ${abs}`]
  const top = await git(['rev-parse', '--show-toplevel'])
  const notGit = !top.ok ? top.err.split('\n')[0] || 'not a git checkout' : top.out.trim() !== abs ? `inside the checkout ${top.out.trim()}, not its root` : undefined
  if (notGit) return { text: [...lines, `git: no (${notGit})`, ''].join('\n'), notGit }
  const st = await git(['status', '--porcelain=v1', '-z', '--untracked-files=normal', '--ignored=traditional'])
  const status = st.ok ? statusLines(parseStatus(st.out)) : [`dirty: unknown (${st.err.split('\n')[0]})`]
  return { text: [...lines, 'git: yes', ...(await head(git)), ...status, ...(await remotes(git)), ''].join('\n') }
}
