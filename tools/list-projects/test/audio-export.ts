/** readVersions: the texts C-LARA's export reads, as `load_text_version` reads them; the phonetic one only with a phonetic voice. */
import t from 'tap'
import { readsVersion } from '@clara/clara-model/export-audio'
import { readVersions } from '../src/audio-export.js'

t.test('the versions that exist, line breaks made \\n; one the export will not read is left out', async (t) => {
  const clara = t.testdir({
    clara_content: {
      P_1: {
        gloss: { 'P_1_gloss.txt': 'a#b#\r\nc#d#\rx#y#' },
        lemma: { 'P_1_lemma.txt': 'a#b/X#' },
        phonetic: { 'P_1_phonetic.txt': 'a#ah#' },
        mwe: { 'other.txt': 'not the version file' },
      },
    },
  })
  t.same(readVersions(clara, 'P_1'), { gloss: 'a#b#\nc#d#\nx#y#', lemma: 'a#b/X#', phonetic: 'a#ah#' })
  const voices = { human_voice_id_phonetic: null }
  t.same(readVersions(clara, 'P_1', (v) => readsVersion(voices, v)), { gloss: 'a#b#\nc#d#\nx#y#', lemma: 'a#b/X#' }, 'no phonetic voice: no phonetic text')
  t.same(Object.keys(readVersions(clara, 'P_1', (v) => readsVersion({ human_voice_id_phonetic: 'eva' }, v))), ['gloss', 'lemma', 'phonetic'])
})
