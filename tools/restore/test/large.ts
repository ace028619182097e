/**
 * The other paths of the unpackers: a zip too large to hold (hashed apart, read member by member)
 * with a member too large to inflate at once (streamed); GNU tar's own shards (long names, a body
 * over many reads, links) and tar-stream's pax names; and a damaged shard, reported as damaged
 * whether the damage lies in a body or in a header, with nothing left behind.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, promises as fsp, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { hashFile } from '@clara/shared/hash'
import { runMain } from '@clara/shared/testkit'
import { main } from '../src/main.js'
import { craftTar, craftZip } from './craft.js'

async function legacyZip(run: string, name: string, file: string): Promise<void> {
  const dir = path.join(run, 'legacy_zips', name)
  const { sha256 } = await hashFile(file)
  writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify({ version: 1, domain: 'legacy_zips', unit: name, archives: [{ name: 'legacy', path: `legacy_zips/${name}/legacy.zip`, sha256, restore: [{ prefix: '', to: `LARA_legacy/${name}` }] }] }))
}

async function shardIndex(run: string, files: string[]): Promise<void> {
  const dir = path.join(run, 'audio_cache', 'archives')
  const shards = []
  for (const f of files) shards.push({ name: f, group: 'tts_audio_part', path: `archives/${f}`, sha256: (await hashFile(path.join(dir, f))).sha256, compression: 'none' })
  writeFileSync(path.join(run, 'audio_cache', 'index.json'), JSON.stringify({ groups: { tts_audio_part: { restore_to: 'audio/tts_repository_orm' } }, shards }))
}

const stagesLeft = async (dir: string) => ((await fsp.readdir(dir, { recursive: true })) as string[]).filter((p) => /\.clara-restore-[0-9a-f]+\.(tmp|old)$/.test(p))

t.test('a 17 MiB stored member in a zip over the in-memory size', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  mkdirSync(path.join(run, 'legacy_zips', 'big'), { recursive: true })
  const big = randomBytes(17 * 2 ** 20)
  const text = 'a line of text\n'.repeat(100_000)
  craftZip(path.join(run, 'legacy_zips/big/legacy.zip'), [{ name: 'big.mp3', data: big }, { name: 'text.txt', data: text, deflate: true }])
  await legacyZip(run, 'big', path.join(run, 'legacy_zips/big/legacy.zip'))
  const to = path.join(base, 'new')
  const r = await runMain(main, { argv: [run, '--to', to, '--domains', 'legacy', '--quiet'] })
  t.equal(r.code, 0, r.stderr)
  t.ok(readFileSync(path.join(to, 'LARA_legacy/big/big.mp3')).equals(big), 'the streamed member')
  t.equal(readFileSync(path.join(to, 'LARA_legacy/big/text.txt'), 'utf8'), text, 'the inflated member')
  t.equal((await fsp.stat(path.join(to, 'LARA_legacy/big/big.mp3'))).mtimeMs, 1704067200000)
})

t.test("GNU tar's shards and tar-stream's long names unpack whole", async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  const archives = path.join(run, 'audio_cache', 'archives')
  mkdirSync(archives, { recursive: true })
  const src = path.join(base, 'src')
  const long = `openai/${'fr'.repeat(40)}/${'voice_'.repeat(20)}`
  mkdirSync(path.join(src, long), { recursive: true })
  const body = randomBytes(2.5 * 2 ** 20)
  writeFileSync(path.join(src, long, 'clip_with_a_rather_long_name_0001.mp3'), body)
  writeFileSync(path.join(src, 'openai', 'small.mp3'), 'x')
  symlinkSync('small.mp3', path.join(src, 'openai', 'alias.mp3'))
  execFileSync('ln', [path.join(src, 'openai', 'small.mp3'), path.join(src, 'openai', 'hard.mp3')])
  execFileSync('tar', ['--format=gnu', '-cf', path.join(archives, 'gnu.tar'), '-C', src, 'openai'])
  await craftTar(path.join(archives, 'pax.tar'), [{ name: `google/${'ü'.repeat(60)}/${'b'.repeat(90)}.mp3`, data: 'pax' }])
  await shardIndex(run, ['gnu.tar', 'pax.tar'])
  const to = path.join(base, 'new')
  const r = await runMain(main, { argv: [run, '--to', to, '--domains', 'audio', '--quiet'] })
  t.equal(r.code, 0, r.stderr)
  const root = path.join(to, 'audio/tts_repository_orm')
  t.ok(readFileSync(path.join(root, long, 'clip_with_a_rather_long_name_0001.mp3')).equals(body), 'a GNU long name, a body over several reads')
  t.equal(await fsp.readlink(path.join(root, 'openai/alias.mp3')), 'small.mp3', 'a symlink')
  t.equal((await fsp.stat(path.join(root, 'openai/hard.mp3'))).nlink, 2, 'a hard link')
  t.equal(readFileSync(path.join(root, `google/${'ü'.repeat(60)}/${'b'.repeat(90)}.mp3`), 'utf8'), 'pax', 'a pax path')
})

t.test('a damaged shard is reported as damaged, in a body or in a header; nothing is left', async (t) => {
  const base = t.testdir({})
  const run = path.join(base, 'run')
  const archives = path.join(run, 'audio_cache', 'archives')
  mkdirSync(archives, { recursive: true })
  await craftTar(path.join(archives, 'body.tar'), [{ name: 'a/one.mp3', data: 'one'.repeat(400) }, { name: 'a/two.mp3', data: 'two' }])
  await craftTar(path.join(archives, 'head.tar'), [{ name: 'b/one.mp3', data: 'one' }, { name: 'b/two.mp3', data: 'two' }])
  await shardIndex(run, ['body.tar', 'head.tar'])
  const flip = (f: string, at: number) => {
    const b = readFileSync(path.join(archives, f))
    b[at] ^= 0x20
    writeFileSync(path.join(archives, f), b)
  }
  flip('body.tar', 512 + 10) // the first member's body
  flip('head.tar', 1024 + 2) // the second member's name: its header checksum fails
  const to = path.join(base, 'new')
  const r = await runMain(main, { argv: [run, '--to', to, '--domains', 'audio', '--quiet'] })
  t.equal(r.code, 1)
  const errors = r.records.filter((x: any) => x.type === 'error')
  t.same(errors.map((x: any) => [x.unit, x.code]).sort(), [['body.tar', 'EMISMATCH'], ['head.tar', 'EMISMATCH']])
  t.notOk(existsSync(path.join(to, 'audio/tts_repository_orm/a')), 'nothing of the damaged body')
  t.notOk(existsSync(path.join(to, 'audio/tts_repository_orm/b')), 'nothing of the damaged header')
  t.same(await stagesLeft(to), [], 'no stage left')
})
