/**
 * A symlink whose target is not UTF-8 (`../\xff\xfe-target`) keeps its exact bytes end to end:
 * clara-zip-unit (the zip member's data) → clara-restore, and clara-shard (the tar's pax
 * `linkpath`) → clara-restore; the records carry `target_b64` beside the lossy text.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, promises as fsp, readlinkSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t, { type Test } from 'tap'
import { binPath, childEnv, spawnTool } from '@clara/shared/testkit-spawn'

const TARGET = Buffer.from('../\xff\xfe-target', 'latin1')
const TWIN = Buffer.from('../\xfe\xff-target', 'latin1') // the same lossy text as TARGET
const cat = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => Buffer.from(p)))

/** A folder with `sub/link` → TARGET, `sub/twin` → TWIN (both inside it) and the files they point at. */
function linkTree(dir: string): void {
  mkdirSync(path.join(dir, 'sub'), { recursive: true })
  writeFileSync(cat(dir, '/', Buffer.from('\xff\xfe-target', 'latin1')), 'ff fe')
  writeFileSync(cat(dir, '/', Buffer.from('\xfe\xff-target', 'latin1')), 'fe ff')
  symlinkSync(TARGET, path.join(dir, 'sub', 'link'))
  symlinkSync(TWIN, path.join(dir, 'sub', 'twin'))
}

async function tool(t: Test, name: string, args: string[], input?: string): Promise<string> {
  const r = await spawnTool(binPath(name), args, { env: childEnv(), input })
  t.equal(r.code, 0, `${name}: ${r.stderr}`)
  return r.stdout
}

const linkBytes = (p: string) => readlinkSync(p, { encoding: 'buffer' })

t.test('zip-unit → restore: the link comes back with its exact target bytes', async (t) => {
  const base = t.testdir({})
  const src = path.join(base, 'src')
  linkTree(src)
  const run = path.join(base, 'run')
  const unit = { type: 'unit', domain: 'source_exports', unit: 'links', archives: [{ name: 'source', sources: [{ dir: src, prefix: 'project_dir/', restore_to: 'clara_content/links' }] }] }
  await tool(t, 'clara-zip-unit', ['--dest', run, '--quiet'], `${JSON.stringify(unit)}\n{"type":"end","count":1}\n`)
  const meta = JSON.parse(await fsp.readFile(path.join(run, 'source_exports/links/metadata.json'), 'utf8'))
  t.same(meta.symlinks.map((s: any) => [s.path, Buffer.from(s.target_b64, 'base64').toString('latin1')]), [['project_dir/sub/link', TARGET.toString('latin1')], ['project_dir/sub/twin', TWIN.toString('latin1')]], 'metadata: target_b64 holds the bytes')
  const to = path.join(base, 'new')
  await tool(t, 'clara-restore', [run, '--to', to, '--domains', 'source', '--quiet'])
  t.same(linkBytes(path.join(to, 'clara_content/links/sub/link')), TARGET, 'the target, byte for byte')
  t.same(linkBytes(path.join(to, 'clara_content/links/sub/twin')), TWIN, 'its twin keeps its own bytes')
  t.equal(await fsp.readFile(path.join(to, 'clara_content/links/sub/link'), 'utf8'), 'ff fe', 'and points at its own file')
})

t.test('shard → restore: the tar carries the target bytes (pax linkpath) and restore writes them', async (t) => {
  const base = t.testdir({})
  const src = path.join(base, 'src')
  linkTree(src)
  const run = path.join(base, 'run')
  await tool(t, 'clara-shard', ['--dest', run, '--domain', 'audio_cache', '--prefix', 'tts_audio_part', '--root', src, '--restore-to', 'audio/tts_repository_orm', '--quiet'])
  const index = JSON.parse(await fsp.readFile(path.join(run, 'audio_cache/index.json'), 'utf8'))
  const tar = await fsp.readFile(path.join(run, 'audio_cache', index.shards[0].path))
  t.ok(tar.includes(cat(' linkpath=', TARGET, '\n')), 'a pax linkpath record with the raw bytes')
  const listing = (await fsp.readFile(path.join(run, 'audio_cache', index.shards[0].members_path), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l))
  t.same(listing.filter((r) => r.kind === 'symlink').map((r) => [r.path, Buffer.from(r.target_b64, 'base64').toString('latin1')]), [['sub/link', TARGET.toString('latin1')], ['sub/twin', TWIN.toString('latin1')]], 'listing: target_b64 holds the bytes')
  const to = path.join(base, 'new')
  await tool(t, 'clara-restore', [run, '--to', to, '--domains', 'audio', '--quiet'])
  t.same(linkBytes(path.join(to, 'audio/tts_repository_orm/sub/link')), TARGET, 'the target, byte for byte')
  t.same(linkBytes(path.join(to, 'audio/tts_repository_orm/sub/twin')), TWIN, 'its twin keeps its own bytes')

  // clara-verify checks each link's target bytes against the listing (the run holds only this domain, so only the unit verdict counts)
  const shardVerdict = async () => {
    const v = await spawnTool(binPath('clara-verify'), [run, '--data', 'full', '--no-state', '--quiet'], { env: childEnv() })
    return v.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.type === 'verdict' && r.item === `audio_cache/${index.shards[0].name}`)
  }
  t.match(await shardVerdict(), { ok: true }, 'verify: the targets in the tar are the listed ones')
  const swapped = listing.map((r) => (r.kind === 'symlink' ? { ...r, target_b64: r.path === 'sub/link' ? TWIN.toString('base64') : TARGET.toString('base64') } : r))
  const text = swapped.map((r) => JSON.stringify(r)).join('\n') + '\n'
  await fsp.writeFile(path.join(run, 'audio_cache', index.shards[0].members_path), text)
  index.shards[0].members_sha256 = createHash('sha256').update(text).digest('hex')
  await fsp.writeFile(path.join(run, 'audio_cache/index.json'), JSON.stringify(index))
  const bad = await shardVerdict()
  t.match(bad, { ok: false }, 'verify: targets that differ from the listing only in bytes that are not UTF-8 are found')
  t.match(bad?.message, /member sub\/link: link target differs.*member sub\/twin: link target differs/s)
})
