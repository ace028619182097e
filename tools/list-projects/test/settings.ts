import t from 'tap'
import path from 'node:path'
import { UsageError } from '@clara/shared/cli'
import { resolveSettings } from '../src/settings.js'

const dir = t.testdir({ clara: {} })
const clara = path.join(dir, 'clara')

t.test('flags win; else CLARA, DB_TYPE and DATABASE_URL as in clara_project/settings.py', async (t) => {
  t.same(resolveSettings({}, { CLARA: clara }, '/'), { clara, db: `sqlite://${clara}/db.sqlite3`, dbFrom: '$CLARA/db.sqlite3' })
  t.same(resolveSettings({}, { CLARA: clara, DB_TYPE: 'sqlite', DATABASE_URL: 'postgres://x/y' }, '/').db, `sqlite://${clara}/db.sqlite3`, 'DATABASE_URL only counts with DB_TYPE=postgres')
  t.same(resolveSettings({}, { CLARA: clara, DB_TYPE: 'postgres', DATABASE_URL: 'postgres://u@h/db' }, '/'), { clara, db: 'postgres://u@h/db', dbFrom: 'DATABASE_URL' })
  t.same(resolveSettings({ clara: 'clara', db: 'sqlite:///x.db' }, { CLARA: '/elsewhere', DB_TYPE: 'postgres' }, dir), { clara, db: 'sqlite:///x.db', dbFrom: '--db' }, '--clara relative to cwd')
})

t.test('missing settings are usage errors', async (t) => {
  t.throws(() => resolveSettings({}, {}, '/'), UsageError)
  t.throws(() => resolveSettings({}, { CLARA: path.join(dir, 'nope') }, '/'), { message: /not found/ })
  t.throws(() => resolveSettings({}, { CLARA: clara, DB_TYPE: 'postgres' }, '/'), { message: /DATABASE_URL is not set/ })
})
