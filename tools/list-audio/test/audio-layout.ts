import t from 'tap'
import { cacheKey, layoutKey } from '../src/audio-layout.js'

const KEY = 'google/en-GB/en-GB-News-J/en-GB-News-J_20240805_033226_x.mp3'

t.test('every file_path style maps to the same cache path (clara-facts §1.7, §8.1)', async (t) => {
  for (const p of [
    `/home/stm-admmxr/C-LARA/audio/tts_repository_orm/${KEY}`,
    `/srv/new/clara/audio/tts_repository_orm/${KEY}`,
    `C:/cygwin64/home/github/c-lara/audio/tts_repository_orm/${KEY}`,
    `C:\\cygwin64\\home\\github\\c-lara\\audio\\tts_repository_orm\\${KEY.replace(/\//g, '\\')}`,
    `$CLARA/audio/tts_repository_orm/${KEY}`,
    `audio/tts_repository_orm/${KEY}`,
    `./audio//tts_repository_orm/${KEY}`,
  ]) {
    t.equal(cacheKey(p), KEY, p)
  }
  t.equal(cacheKey('human_voice/old norse/m/a b.mp3'), null, 'a path not under the cache')
  t.equal(cacheKey('/x/myaudio/tts_repository_orm/a.mp3'), null, 'the folder name must match whole')
  t.equal(cacheKey('/x/audio/tts_repository_orm/'), null)
  t.equal(cacheKey('/x/audio/tts_repository_orm/../../etc/passwd'), null)
  t.equal(cacheKey(''), null)
  t.equal(cacheKey(null), null)
  t.equal(cacheKey('/x/audio/tts_repository_orm/human_voice/māori/kaikōrero/ā.mp3'), 'human_voice/māori/kaikōrero/ā.mp3')
})

t.test('the engine/language/voice layout plus basename', async (t) => {
  t.equal(layoutKey({ id: 1, engine_id: 'openai', language_id: 'french', voice_id: 'alloy', file_path: 'D:\\old\\place\\alloy_1.mp3' }), 'openai/french/alloy/alloy_1.mp3')
  t.equal(layoutKey({ id: 1, engine_id: 'openai', language_id: 'french', voice_id: 'alloy', file_path: '' }), null)
})
