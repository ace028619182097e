import t from 'tap'
import { isWindowsPath, styleOf } from '../src/path-styles.js'

t.test('styles', async (t) => {
  t.equal(styleOf('/home/x/C-LARA/audio/a.mp3'), 'posix')
  t.equal(styleOf('C:/cygwin64/x/clara_content/a'), 'windows_slash')
  t.equal(styleOf('C:\\cygwin64\\x\\clara_content\\a'), 'windows_backslash')
  t.equal(styleOf('$CLARA/clara_content/a'), 'clara_var')
  t.equal(styleOf('${CLARA}/clara_content/a'), 'clara_var')
  t.equal(styleOf('audio/tts_repository_orm/google/x.mp3'), 's3_key')
  t.equal(styleOf('prompt_templates\\default\\x.txt'), 's3_key')
  t.equal(styleOf('None'), null)
  t.equal(styleOf('relative/clara_content/x'), null, 'a relative path not starting with a data folder is not a key')
  t.equal(styleOf('$CLARAX/clara_content'), null)
  t.ok(isWindowsPath('d:\\x'))
  t.notOk(isWindowsPath('/c:/x'))
})
