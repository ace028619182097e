/** export-audio against C-LARA's AudioAnnotator and copy_audio_data_to_tmp_dir (fa5b553), worked by hand. */
import t from 'tap'
import { audioItems, audioMetadata, audioPlans, canonicalText, hasNoAudio } from '../src/export-audio.js'
import { internalise } from '../src/clara-text.js'
import { ttsVoice } from '../src/tts-voices.js'
import { pythonJson, storedData } from '../src/project-export.js'

t.test('canonical forms and audio content', async (t) => {
  t.equal(canonicalText('  <b>The</b>\n cat  sat. ', false), 'The cat sat.', 'segments keep their case')
  t.equal(canonicalText(' ÐƏ ', true), 'ðə', 'phonetic: stripped and lowercased')
  t.ok(hasNoAudio('<b>.</b> |'))
  t.notOk(hasNoAudio('a.'))
})

t.test('the voice the annotator picks', async (t) => {
  t.same(ttsVoice('english', 'words'), { engine_id: 'google', language_id: 'en-GB', voice_id: 'default' }, 'Google words: default')
  t.same(ttsVoice('english', 'sentences'), { engine_id: 'google', language_id: 'en-GB', voice_id: 'en-GB-News-J' })
  t.same(ttsVoice('irish', 'words'), { engine_id: 'abair', language_id: 'ga-IE', voice_id: 'ga_UL_anb_nemo' }, 'ABAIR first')
  t.same(ttsVoice('māori', 'sentences'), { engine_id: 'openai', language_id: 'māori', voice_id: 'onyx' })
  t.same(ttsVoice('kok kaper', 'words'), { engine_id: null, language_id: null, voice_id: null }, 'no engine')
  const plans = audioPlans(
    { l2: 'old norse', human_voice_id: 'eva', human_voice_id_phonetic: 'eva', audio_type_for_words: 'human', audio_type_for_segments: 'tts' },
    { gloss: 'a#b#', lemma: 'a#b/X#', phonetic: 'a#ah#' },
  )
  t.same(plans.map((p) => [p.dir, p.words.voice, p.segments.voice]), [
    ['audio', { engine_id: 'human_voice', language_id: 'icelandic', voice_id: 'eva' }, { engine_id: 'google', language_id: 'is-IS', voice_id: 'is-IS-Standard-B' }],
    ['phonetic_audio', { engine_id: 'human_voice', language_id: 'icelandic', voice_id: 'eva' }, { engine_id: 'human_voice', language_id: 'icelandic', voice_id: 'eva' }],
  ], 'old norse is looked up as icelandic; phonetic "segments" follow the words\' audio type')
  t.same(audioPlans({ l2: 'english', human_voice_id: null, human_voice_id_phonetic: null, audio_type_for_words: 'tts', audio_type_for_segments: 'tts' }, { gloss: 'a b#c#', lemma: 'a#b#' }), [], 'a text C-LARA cannot internalise: no audio dir')
})

t.test('items, lookups, duplicates and files', async (t) => {
  const { words, segments } = audioItems(internalise('The#le# cat#chat#.||...||The#le# end#fin#', 'gloss'), false)
  t.same(segments.map((s) => s.text), ['The cat.', 'The end'], 'a segment without audio content is left out')
  t.same(words.map((w) => w.canonical_text), ['the', 'cat', 'the', 'end'])
  const plan = { dir: 'audio', phonetic: false, words: { voice: ttsVoice('english', 'words'), items: words }, segments: { voice: ttsVoice('english', 'sentences'), items: segments } }
  const json = audioMetadata(plan, new Map([['the', '/old/host/audio/tts_repository_orm/google/en-GB/default/t.mp3'], ['cat', 'C:\\c\\cat.mp3']]), new Map(), (p) => p.endsWith('/t.mp3'))
  t.same(json.words, [
    { text: 'The', canonical_text: 'the', context: '', file_path: '/old/host/audio/tts_repository_orm/google/en-GB/default/t.mp3', file: 't.mp3' },
    { text: 'cat', canonical_text: 'cat', context: '', file_path: 'C:\\c\\cat.mp3' },
    { text: 'end', canonical_text: 'end', context: '', file_path: null },
  ], 'duplicate words dropped; file only for a file that is there; file_path kept as stored')
  t.equal(json.segments.length, 2, 'segments keep duplicates (normal text)')
})

t.test('stored_data.json in C-LARA\'s bytes', async (t) => {
  t.equal(pythonJson(storedData({ internal_id: 'Ça_va__12', l2: 'french', l1: 'english' })), '{\n    "id": "\\u00c7a_va__12",\n    "l2_language": "french",\n    "l1_language": "english"\n}')
  t.equal(pythonJson({ a: [], b: {}, c: [1, null, true], d: '\u007f😀' }), '{\n    "a": [],\n    "b": {},\n    "c": [\n        1,\n        null,\n        true\n    ],\n    "d": "\\u007f\\ud83d\\ude00"\n}', 'DEL and non-ASCII escaped, as ensure_ascii does')
})
