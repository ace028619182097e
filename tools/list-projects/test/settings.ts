import t from 'tap'
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'
import { resolveSettings } from '../src/settings.js'

const dir = t.testdir({ clara: {} })
const clara = path.join(dir, 'clara')

t.test('flags win; else CLARA and DATABASE_URL, the same contract as every tool (DB_TYPE is not read)', async (t) => {
  t.same(resolveSettings({}, { CLARA: clara }, '/'), { clara, db: `sqlite://${clara}/db.sqlite3`, dbFrom: '$CLARA/db.sqlite3' })
  t.same(resolveSettings({}, { CLARA: clara, DATABASE_URL: 'postgres://u@h/db' }, '/'), { clara, db: 'postgres://u@h/db', dbFrom: 'DATABASE_URL' }, 'DATABASE_URL without DB_TYPE')
  t.same(resolveSettings({}, { CLARA: clara, DB_TYPE: 'sqlite', DATABASE_URL: 'postgres://x/y' }, '/').db, 'postgres://x/y', 'DB_TYPE does not hide DATABASE_URL')
  t.same(resolveSettings({ clara: 'clara', db: 'sqlite:///x.db' }, { CLARA: '/elsewhere', DATABASE_URL: 'postgres://x/y' }, dir), { clara, db: 'sqlite:///x.db', dbFrom: '--db' }, '--clara relative to cwd')
})

t.test('missing settings are usage errors', async (t) => {
  t.throws(() => resolveSettings({}, {}, '/'), UsageError)
  t.throws(() => resolveSettings({}, { CLARA: path.join(dir, 'nope') }, '/'), { message: /not found/ })
})
