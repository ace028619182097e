/** Where a restore may write: C-LARA's data places only, infra only as one name in restored_infra/. */
import t from 'tap'
import { dataPlaceOf, restoreTargetProblem } from '../src/restore-places.js'

t.test('data places: inside is fine, application code, the root and dot folders are not', async (t) => {
  for (const ok of ['clara_content/P5', 'clara_compiled/12', 'images/image_repository_orm/P5', 'audio/tts_metadata.db', 'audio/tts_repository_orm', 'LARA_legacy/a/b', 'gloss_images', 'clara_app/config.ini', 'clara_app/clara_core/readspeaker_license_key.txt', './clara_content//P5']) t.equal(restoreTargetProblem(ok), null, ok)
  for (const bad of ['clara_app', 'clara_app/views.py', 'manage.py', 'clara_contentx/y', '.clara-restore/x', 'templates/base.html']) t.match(restoreTargetProblem(bad), /is not inside one of C-LARA's data places/, bad)
  t.match(restoreTargetProblem(''), /the new root itself/)
  for (const bad of ['../x', '/etc', 'clara_content/../../x']) t.match(restoreTargetProblem(bad), /leaves the new root/, bad)
  t.equal(dataPlaceOf('clara_compiled_phonetic/3/page_1.html'), 'clara_compiled_phonetic')
})

t.test('infra: one name inside restored_infra/', async (t) => {
  t.equal(restoreTargetProblem('restored_infra/crontab.txt', true), null)
  for (const bad of ['restored_infra/a/b', 'manage.py', 'restored_infra', 'clara_content/x']) t.match(restoreTargetProblem(bad, true), /is not a name inside restored_infra\//, bad)
  t.match(restoreTargetProblem('restored_infra/../manage.py', true), /leaves the new root/)
})
