import t from 'tap'
import { audioLayoutKey, audioLayoutPath } from '../src/audio-layout.js'

t.test('the engine/language/voice layout plus basename', async (t) => {
  t.equal(audioLayoutKey({ engine_id: 'openai', language_id: 'french', voice_id: 'alloy', file_path: 'D:\\old\\place\\alloy_1.mp3' }), 'openai/french/alloy/alloy_1.mp3')
  t.equal(audioLayoutKey({ engine_id: 'openai', language_id: 'french', voice_id: 'alloy', file_path: '' }), null)
  t.equal(audioLayoutKey({ engine_id: 'openai', language_id: null, voice_id: 'alloy', file_path: '/a.mp3' }), null)
  t.equal(audioLayoutPath({ file_path: '/elsewhere/a.mp3', engine_id: 'openai', language_id: 'french', voice_id: 'alloy' }), 'audio/tts_repository_orm/openai/french/alloy/a.mp3')
  t.equal(audioLayoutPath({ file_path: null, engine_id: 'openai', language_id: 'french', voice_id: 'alloy' }), null)
})
