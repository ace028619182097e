import t from 'tap'
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { knownSecrets, mysqlConn, mysqlDriverUrl, parseMyCnf, pgChild, urlWithoutPassword, withMysqlArgs } from '../src/credentials.js'

t.test('pgChild: password out of the URI, into PGPASSWORD', async (t) => {
  const c = pgChild('postgres://u:p%40ss@h:5433/db?sslmode=disable', { PATH: '/bin' })
  t.equal(c.dbname, 'postgres://u@h:5433/db?sslmode=disable')
  t.equal(c.env.PGPASSWORD, 'p@ss')
  t.equal(c.env.PATH, '/bin')
  t.equal(urlWithoutPassword('postgres://u@h/db?password=zz&sslmode=require'), 'postgres://u@h/db?sslmode=require')
  t.same(pgChild('postgres://u@h/db', { PGPASSWORD: 'env' }).env, { PGPASSWORD: 'env' }, 'an existing PGPASSWORD (or .pgpass) is left to libpq')
})

t.test('knownSecrets: the URL password and the password variables', async (t) => {
  t.same(knownSecrets('postgres://u:abc@h/db', { PGPASSWORD: 'pgp', MYSQL_PWD: 'myp', OTHER: 'x' }), ['abc', 'pgp', 'myp'])
  t.same(knownSecrets('sqlite:///x.db', {}), [])
})

t.test('parseMyCnf: sections, quotes, escapes, comments', async (t) => {
  const cnf = parseMyCnf('# c\n[client]\nuser = bob\npassword="a\\"b c"\n; x\n[mysqldump]\nsingle_transaction\nhost=\'db\'\n')
  t.same(cnf, { client: { user: 'bob', password: 'a"b c' }, mysqldump: { 'single-transaction': '', host: 'db' } })
})

t.test('mysqlConn: URL first, then MYSQL_PWD, then ~/.my.cnf', async (t) => {
  const home = t.testdir({ '.my.cnf': '[client]\nuser=cnfuser\npassword=cnfpw\nport=3307\n' })
  t.same(await mysqlConn('mysql://u:urlpw@h:3306/db', { HOME: home, MYSQL_PWD: 'envpw' }), { host: 'h', port: '3306', user: 'u', password: 'urlpw', database: 'db' })
  t.match(await mysqlConn('mysql://h/db', { HOME: home, MYSQL_PWD: 'envpw' }), { user: 'cnfuser', password: 'envpw', port: '3307' })
  t.match(await mysqlConn('mysql://h/db', { HOME: home }), { password: 'cnfpw' })
  t.equal(mysqlDriverUrl({ host: 'h', user: 'u', password: 'p@ss', database: 'd b' }), 'mysql://u:p%40ss@h/d%20b')
})

t.test('withMysqlArgs: the password only in a mode-600 defaults file, removed afterwards', async (t) => {
  let file = ''
  await withMysqlArgs({ host: 'h', port: '3306', user: 'u', password: 'se"cret', database: 'd' }, async (args) => {
    t.match(args[0], /^--defaults-extra-file=/, 'the defaults file comes first, as mysqldump requires')
    t.notOk(args.join(' ').includes('se"cret'), 'not on the command line')
    file = args[0].split('=')[1]
    t.equal(statSync(file).mode & 0o777, 0o600)
    t.equal(statSync(path.dirname(file)).mode & 0o777, 0o700)
    t.same(args.slice(1), ['--host=h', '--protocol=TCP', '--port=3306', '--user=u'])
  })
  t.notOk(existsSync(file), 'removed')
  await t.rejects(withMysqlArgs({ password: 'x', database: 'd' }, async (args) => {
    file = args[0].split('=')[1]
    throw new Error('boom')
  }))
  t.notOk(existsSync(file), 'removed after a failure too')
  await withMysqlArgs({ database: 'd' }, async (args) => t.same(args, [], 'no password, no file'))
})
