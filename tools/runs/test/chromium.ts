/**
 * The report in a real browser: headless Chromium (Debian's `chromium`, installed by
 * scripts/test-deps.sh) opens report.html from a file: URL with a fresh profile and no network
 * service, logs every console message on stderr, and dumps the DOM it rendered. Any console
 * message fails the test (the page has no script, so there is none unless something broke, such as a
 * blocked external resource); a control page shows that such messages are caught.
 */
import t from 'tap'
import { existsSync, promises as fsp } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { runMain } from '@clara/shared/testkit'
import { childEnv, spawnTool } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { makeHistory, NIGHTS, nightly, NOW, UNFINISHED } from './history.js'

const CHROMIUM = '/usr/bin/chromium'
const dir = t.testdir()

/** Open `file` in headless Chromium: its exit code, the rendered DOM and the console lines it logged. */
async function open(file: string): Promise<{ code: number | null; dom: string; console: string[]; stderr: string }> {
  const profile = await fsp.mkdtemp(path.join(dir, 'profile-'))
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--dump-dom', pathToFileURL(file).href,
  ]
  const r = await spawnTool(CHROMIUM, args, { env: childEnv({ HOME: profile }), timeoutMs: 180_000 })
  return { code: r.code, dom: r.stdout, console: r.stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l)), stderr: r.stderr }
}

t.test('Chromium is installed (scripts/test-deps.sh installs Debian\'s chromium)', async (t) => {
  t.ok(existsSync(CHROMIUM), `${CHROMIUM} exists`)
})

t.test('control: a console message is caught (an external image the page policy blocks, a console.error)', async (t) => {
  const blocked = path.join(dir, 'blocked.html')
  await fsp.writeFile(blocked, `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><link rel="icon" href="data:,"></head><body><img src="http://127.0.0.1:9/x.png"></body></html>`)
  const a = await open(blocked)
  t.equal(a.code, 0, a.stderr)
  t.match(a.console.join('\n'), /violates the following Content Security Policy directive/)
  const noisy = path.join(dir, 'noisy.html')
  await fsp.writeFile(noisy, `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script>console.error('broken page')</script></body></html>`)
  const b = await open(noisy)
  t.match(b.console.join('\n'), /"broken page"/)
})

t.test('report.html renders with no console message and shows the newest run', async (t) => {
  const root = path.join(dir, 'backups')
  await fsp.mkdir(root)
  await makeHistory(root)
  const r = await runMain(main, { argv: ['report', '--root', root, '--now', NOW] })
  t.equal(r.code, 0, r.stderr)
  const page = await open(path.join(root, 'report.html'))
  t.equal(page.code, 0, page.stderr)
  t.same(page.console, [], 'no console message')
  t.match(page.dom, `<strong id="newest-run">${UNFINISHED}</strong>`, 'the newest run, as rendered')
  t.match(page.dom, `latest → <strong>${nightly(NIGHTS - 1)}</strong>`)
  for (const id of ['sizes', 'failures', 'projects']) t.match(page.dom, `<section id="${id}">`)
  t.match(page.dom, /<polyline [^>]*points="[\d., ]+"><title>source_exports<\/title><\/polyline>/, 'the size chart is in the DOM')
})
