import t from 'tap'
import { reconcile } from '../src/reconcile.js'

t.test('rows without files and files without rows', async (t) => {
  const files = ['google/en/v/a.mp3', 'google/en/v/b.mp3', 'google/en/v/orphan.mp3', 'openai/fr/alloy/moved.mp3']
  const rows = [
    { id: 3, engine_id: 'google', language_id: 'en', voice_id: 'v', file_path: '/old/root/audio/tts_repository_orm/google/en/v/gone.mp3' },
    { id: 1, engine_id: 'google', language_id: 'en', voice_id: 'v', file_path: 'audio/tts_repository_orm/google/en/v/a.mp3' },
    { id: 2, engine_id: 'google', language_id: 'en', voice_id: 'v', file_path: 'C:\\x\\audio\\tts_repository_orm\\google\\en\\v\\b.mp3' },
    { id: 4, engine_id: 'openai', language_id: 'fr', voice_id: 'alloy', file_path: '/somewhere/else/moved.mp3' },
    { id: 5, engine_id: 'openai', language_id: 'fr', voice_id: 'alloy', file_path: '/tmp/tmpab12.mp3' },
    { id: 6, engine_id: 'google', language_id: 'en', voice_id: 'v', file_path: 'audio/tts_repository_orm/google/en/v/a.mp3' },
  ]
  const r = reconcile(rows, files)
  t.same(r.missing, [
    { type: 'audio_missing', id: 3, file_path: rows[0].file_path, expected_path: 'google/en/v/gone.mp3', reason: 'no file' },
    { type: 'audio_missing', id: 5, file_path: '/tmp/tmpab12.mp3', expected_path: null, reason: 'path outside the audio cache' },
  ])
  t.same(r.unreferenced, [{ type: 'audio_unreferenced', path: 'google/en/v/orphan.mp3' }], 'duplicate rows for one file are fine')
  t.equal(r.by_layout, 1, 'found by engine/language/voice + basename')
})
