import t from 'tap'
import { AUDIO_FOLDER, claraRelative, claraRoot, folderRelative } from '../src/data-folders.js'

t.test('every path style finds its data folder', async (t) => {
  const want = 'audio/tts_repository_orm/google/en-GB/v/a.mp3'
  for (const p of ['/home/stm-admmxr/C-LARA/audio/tts_repository_orm/google/en-GB/v/a.mp3', 'C:/cygwin64/home/c-lara/audio/tts_repository_orm/google/en-GB/v/a.mp3',
    'C:\\cygwin64\\home\\c-lara\\audio\\tts_repository_orm\\google\\en-GB\\v\\a.mp3', '$CLARA/audio/tts_repository_orm/google/en-GB/v/a.mp3', want]) t.equal(claraRelative(p), want, p)
  t.equal(claraRelative('/x/gloss_images/image_repository_orm/kok kaper/any/23/yuk/y.jpg'), 'gloss_images/image_repository_orm/kok kaper/any/23/yuk/y.jpg', 'gloss, not images')
  t.equal(claraRelative('/x/images/image_repository_orm/P_1/a.png'), 'images/image_repository_orm/P_1/a.png')
  t.equal(claraRelative('C:/old/clara_content/Ça_va__12/plain/x.txt'), 'clara_content/Ça_va__12/plain/x.txt')
  t.equal(claraRelative('/tmp/tmpab12.mp3'), null)
  t.equal(claraRelative('/x/audio/tts_repository_orm/../etc/passwd'), null)
  t.equal(claraRelative(''), null)
  t.equal(claraRelative(null), null)
})

t.test('the root: whatever precedes the first data folder, as a whole component', async (t) => {
  t.equal(claraRoot('/home/stm-admmxr/C-LARA/audio/tts_repository_orm/g/x.mp3'), '/home/stm-admmxr/C-LARA')
  t.equal(claraRoot('/a/b/clara_content/prompt_templates/x'), '/a/b')
  t.equal(claraRoot('/a/my_clara_content/x'), '', 'not a component')
  t.equal(claraRoot('/a/audio/x'), '', 'audio/ alone is not a data folder')
  t.equal(claraRoot('C:/cygwin64/home/sf/c-lara-svn/prompt_templates/default/x'), 'C:/cygwin64/home/sf/c-lara-svn')
  t.equal(claraRoot('C:\\c-lara\\clara_content'), 'C:/c-lara', 'a bare folder at the end')
  t.equal(claraRoot('/home//x/clara_content/a'), '/home//x', 'the text as written, separators aside')
})

const KEY = 'google/en-GB/en-GB-News-J/en-GB-News-J_20240805_033226_x.mp3'

t.test('inside one folder: every file_path style maps to the same cache path (clara-facts §1.7, §8.1)', async (t) => {
  for (const p of [
    `/home/stm-admmxr/C-LARA/audio/tts_repository_orm/${KEY}`,
    `/srv/new/clara/audio/tts_repository_orm/${KEY}`,
    `C:/cygwin64/home/github/c-lara/audio/tts_repository_orm/${KEY}`,
    `C:\\cygwin64\\home\\github\\c-lara\\audio\\tts_repository_orm\\${KEY.replace(/\//g, '\\')}`,
    `$CLARA/audio/tts_repository_orm/${KEY}`,
    `audio/tts_repository_orm/${KEY}`,
    `./audio//tts_repository_orm/${KEY}`,
  ]) {
    t.equal(folderRelative(p, AUDIO_FOLDER), KEY, p)
  }
  t.equal(folderRelative('human_voice/old norse/m/a b.mp3', AUDIO_FOLDER), null, 'a path not under the cache')
  t.equal(folderRelative('/x/myaudio/tts_repository_orm/a.mp3', AUDIO_FOLDER), null, 'the folder name must match whole')
  t.equal(folderRelative('/x/images/image_repository_orm/a.png', AUDIO_FOLDER), null, 'another data folder')
  t.equal(folderRelative('/x/audio/tts_repository_orm/', AUDIO_FOLDER), null)
  t.equal(folderRelative('/x/audio/tts_repository_orm/../../etc/passwd', AUDIO_FOLDER), null)
  t.equal(folderRelative('', AUDIO_FOLDER), null)
  t.equal(folderRelative(null, AUDIO_FOLDER), null)
  t.equal(folderRelative('/x/audio/tts_repository_orm/human_voice/māori/kaikōrero/ā.mp3', AUDIO_FOLDER), 'human_voice/māori/kaikōrero/ā.mp3')
})
