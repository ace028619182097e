/**
 * MariaDB/MySQL round trip. C-LARA never ran on MySQL (clara-facts §4), so there is no real
 * C-LARA MySQL schema: this test builds a small generic schema of its own, with the value types
 * that matter to hashing (integers, decimals, datetimes, booleans, JSON, blobs, text keys,
 * a table without a key), a trigger and a procedure.
 */
import t from 'tap'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openDb } from '@clara/shared/db'
import { hashTables } from '@clara/shared/table-hash'
import { createMysqlDb, MYSQL_ADMIN_URL, runMain } from '@clara/shared/testkit'
import { spawnBash } from '@clara/shared/testkit-spawn'
import { main } from '../src/main.js'
import { leaks, readMetadata, toolEnv } from './helpers.js'

const SCHEMA = `
create table item (id bigint primary key auto_increment, name varchar(100) not null, price decimal(10,2), at datetime(6), seen timestamp null, flag tinyint(1) not null default 0, doc json, raw blob);
create table tag (code varchar(20) primary key, label text);
create table loose (a int, b varchar(10));
create table django_migrations (id int primary key auto_increment, app varchar(255), name varchar(255), applied datetime(6));
create trigger item_name before insert on item for each row set new.name = trim(new.name);
create procedure item_count() select count(*) from item;
insert into item (name, price, at, seen, flag, doc, raw) values
  ('  one ', 10.50, '2024-01-31 12:00:00.123456', '2024-02-01 00:00:00', 1, '{"b":1,"a":"ü"}', x'00ff10'),
  ('two', null, null, null, 0, null, null);
insert into tag values ('b', 'Bé'), ('a', null), ('B2', 'x');
insert into loose values (2, 'y'), (1, 'x'), (1, 'x');
insert into django_migrations (app, name, applied) values ('shop', '0001_initial', '2024-01-01 00:00:00'), ('shop', '0002_more', '2024-01-02 00:00:00');
`

t.test('MariaDB: mysqldump, load into a scratch DB with the mysql client, equal counts and hashes', async (t) => {
  const src = await createMysqlDb('pgdump_src')
  const dst = await createMysqlDb('pgdump_dst')
  t.teardown(async () => {
    await src.drop()
    await dst.drop()
  })
  const db = await openDb(src.url)
  await db.exec(SCHEMA)
  await db.close()
  const run = path.join(t.testdir(), 'run')
  const r = await runMain(main, { argv: ['--db', src.url, '--dest', run, '--timestamp', '20250102_030405'], env: toolEnv() })
  t.equal(r.code, 0, r.stderr)
  const dump = path.join(run, 'db', 'clara_db_20250102_030405.sql')
  t.ok(existsSync(dump))
  const text = readFileSync(dump, 'utf8')
  t.match(text, /CREATE TABLE `item`/)
  t.match(text, /trigger item_name/i, '--triggers')
  t.match(text, /PROCEDURE `item_count`/, '--routines')
  const { meta } = readMetadata(path.join(run, 'db'))
  t.match(meta, { engine: 'mysql', database: src.name, dump_tool: { name: 'mysqldump' }, checks: { trailer: 'ok' } })
  t.match(meta.server_version, /MariaDB|^\d/)
  t.same(meta.django_migrations.apps, { shop: { name: '0002_more', applied: '2024-01-02T00:00:00.000000Z', id: 2 } })
  t.same(Object.fromEntries(Object.entries(meta.tables).map(([k, v]: [string, any]) => [k, v.rows])), { django_migrations: 2, item: 2, loose: 3, tag: 3 })

  const load = await spawnBash(`mysql --protocol=TCP -h 127.0.0.1 -P 3306 -u root ${dst.name} < '${dump}'`)
  t.equal(load.code, 0, load.stderr)
  const back = await openDb(dst.url)
  t.same(await hashTables(back), meta.tables, 'restored hashes equal the metadata')
  const [trg] = await back.query<{ n: number }>('select count(*) as n from information_schema.triggers where trigger_schema = database()')
  t.equal(Number(trg.n), 1, 'the trigger came along')
  await back.close()
})

t.test('MariaDB credentials: a password from the URL or ~/.my.cnf reaches mysqldump without a command line, and leaks nowhere', async (t) => {
  const src = await createMysqlDb('pgdump_pw')
  const user = `clara_pw_${process.pid}`
  const secret = `My-${process.pid}-pa55!w`
  const admin = await openDb(MYSQL_ADMIN_URL)
  await admin.exec(`drop user if exists '${user}'@'%'; create user '${user}'@'%' identified by '${secret}'; grant all on \`${src.name}\`.* to '${user}'@'%'; grant select on mysql.proc to '${user}'@'%'`)
  t.teardown(async () => {
    await admin.exec(`drop user if exists '${user}'@'%'`)
    await admin.close()
    await src.drop()
  })
  const db = await openDb(src.url)
  await db.exec(SCHEMA)
  await db.close()
  const dir = t.testdir({ home: {} })
  const withPw = `mysql://${user}:${encodeURIComponent(secret)}@127.0.0.1:3306/${src.name}`

  const r1 = await runMain(main, { argv: ['--db', withPw, '--dest', path.join(dir, 'run1')], env: toolEnv() })
  t.equal(r1.code, 0, r1.stderr)
  t.same(leaks(secret, { stdout: r1.stdout, stderr: r1.stderr }, [path.join(dir, 'run1')]), [], 'URL password: nowhere in output')

  writeFileSync(path.join(dir, 'home', '.my.cnf'), `[client]\nuser=${user}\npassword="${secret}"\n`, { mode: 0o600 })
  const noPw = `mysql://127.0.0.1:3306/${src.name}`
  const r2 = await runMain(main, { argv: ['--db', noPw, '--dest', path.join(dir, 'run2')], env: toolEnv({ HOME: path.join(dir, 'home') }) })
  t.equal(r2.code, 0, r2.stderr)
  t.same(leaks(secret, { stdout: r2.stdout, stderr: r2.stderr }, [path.join(dir, 'run2')]), [], '~/.my.cnf password: nowhere in output')

  const wrong = `mysql://${user}:wrong-${encodeURIComponent(secret)}@127.0.0.1:3306/${src.name}`
  const r3 = await runMain(main, { argv: ['--db', wrong, '--dest', path.join(dir, 'run3')], env: toolEnv() })
  t.equal(r3.code, 3, 'wrong password: exit 3')
  t.match(r3.stderr, /Access denied/)
  t.equal(r3.stderr.trim().split('\n').length, 1)
  t.same(leaks(secret, { stdout: r3.stdout, stderr: r3.stderr }, [path.join(dir, 'run3')]), [])
  t.notOk(existsSync(path.join(dir, 'run3')), 'nothing written')
})
