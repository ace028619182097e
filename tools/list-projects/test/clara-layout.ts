import t from 'tap'
import { TEXT_TYPES, compiledPath, thumbnailName } from '../src/clara-layout.js'

t.test('thumbnail names follow generate_thumbnail_name (os.path.splitext)', async (t) => {
  t.equal(thumbnailName('/a/b/image_for_whole_text.jpg'), '/a/b/image_for_whole_text_thumbnail.jpg')
  t.equal(thumbnailName('project_x.v2.png'), 'project_x.v2_thumbnail.png')
  t.equal(thumbnailName('/a.b/noext'), '/a.b/noext_thumbnail')
  t.equal(thumbnailName('.hidden'), '.hidden_thumbnail')
  t.equal(thumbnailName(''), '_thumbnail')
})

t.test('compiled roots per text type', async (t) => {
  t.same(TEXT_TYPES, ['normal', 'phonetic', 'questionnaire'])
  t.same(TEXT_TYPES.map((x) => compiledPath(x, 37)), ['clara_compiled/37', 'clara_compiled_phonetic/37', 'clara_compiled_for_questionnaire/37'])
})
