/** shared/table-hash + shared/canonical: the same rows hash the same on SQLite, PostgreSQL and MariaDB. */
import t from 'tap'
import path from 'node:path'
import { canonicalDecimal, canonicalJson, canonicalTimestamp, canonicalValue, kindOf } from '@clara/shared/canonical'
import { openDb, type Db } from '@clara/shared/db'
import { hashTable, hashTables, tableShape } from '@clara/shared/table-hash'
import { createMysqlDb, createPgDb } from '@clara/shared/testkit'

t.test('canonical values', async (t) => {
  t.equal(canonicalDecimal('10.50'), '10.5')
  t.equal(canonicalDecimal('-0.00'), '0')
  t.equal(canonicalDecimal('007'), '7')
  t.equal(canonicalTimestamp('2024-01-31 12:00:00'), '2024-01-31T12:00:00.000000Z')
  t.equal(canonicalTimestamp('2024-01-31 12:00:00.123456+02:00'), '2024-01-31T10:00:00.123456Z')
  t.equal(canonicalTimestamp('2024-01-01T00:30:00-0130'), '2024-01-01T02:00:00.000000Z')
  t.equal(canonicalTimestamp(new Date('2024-01-31T12:00:00.123Z')), '2024-01-31T12:00:00.123000Z')
  t.equal(canonicalJson('{ "b": 1, "a": {"d": [1, {"z": 0, "y": 1}], "c": null} }'), '{"a":{"c":null,"d":[1,{"y":1,"z":0}]},"b":1}')
  t.equal(canonicalJson('not json'), 'not json')
  t.equal(canonicalValue('bool', 1), 'true')
  t.equal(canonicalValue('bool', 'f'), 'false')
  t.equal(canonicalValue('bytes', Buffer.from([0, 255])), '00ff')
  t.equal(canonicalValue('int', 12345678901234567890n), '12345678901234567890')
  t.equal(canonicalValue('text', null), null)
  t.equal(kindOf('postgres', 'timestamp with time zone'), 'ts')
  t.equal(kindOf('postgres', 'character varying(255)'), 'text')
  t.equal(kindOf('postgres', 'integer[]'), 'text')
  t.equal(kindOf('mysql', 'tinyint', 'tinyint(1)'), 'bool')
  t.equal(kindOf('sqlite', 'bool'), 'bool')
  t.equal(kindOf('sqlite', 'decimal'), 'num')
})

const N = 12_000 // more than two pages of the keyset walk

async function fill(db: Db, ddl: string, json: string): Promise<void> {
  await db.exec(ddl)
  await db.exec(db.engine === 'mysql' ? 'start transaction' : 'begin')
  await db.query('insert into thing (id, name, flag, at, price, doc, raw) values (?, ?, ?, ?, ?, ?, ?)', [
    1, 'Ünïcode ✓', db.engine === 'sqlite' ? 1 : true, '2024-01-31 12:00:00.123456', '10.50', json, Buffer.from([0, 1, 254]),
  ])
  await db.query('insert into thing (id, name, flag, at, price, doc, raw) values (?, ?, ?, ?, ?, ?, ?)', [2, '', db.engine === 'sqlite' ? 0 : false, null, null, null, null])
  const vals = Array.from({ length: N }, (_, i) => `(${i + 10}, 'row ${i}')`)
  for (let i = 0; i < vals.length; i += 2000) await db.exec(`insert into bulk (id, v) values ${vals.slice(i, i + 2000).join(', ')}`)
  // text keys and a table without a key, inserted in an order that is not the key order
  await db.exec("insert into tag (code, label) values ('b', 'x'), ('B', 'y'), ('a', null), ('ä', 'z')")
  await db.exec("insert into loose (a, b) values (2, 'y'), (1, 'x'), (1, 'x')")
  await db.exec('commit')
}

const DDL = {
  sqlite: `create table thing (id integer primary key, name text, flag bool, at datetime, price decimal, doc json, raw blob);
    create table bulk (id integer primary key, v text); create table tag (code varchar(10) primary key, label text); create table loose (a int, b text);`,
  postgres: `create table thing (id bigint primary key, name text, flag boolean, at timestamptz, price numeric(10,2), doc jsonb, raw bytea);
    create table bulk (id bigint primary key, v text); create table tag (code varchar(10) collate "C" primary key, label text); create table loose (a int, b text);`,
  mysql: `create table thing (id bigint primary key, name text, flag tinyint(1), at datetime(6), price decimal(10,2), doc json, raw blob);
    create table bulk (id bigint primary key, v text); create table tag (code varchar(10) primary key, label text); create table loose (a int, b text);`,
}

t.test('the same rows give the same hashes on SQLite, PostgreSQL and MariaDB', async (t) => {
  const pg = await createPgDb('pgdump_hash')
  const my = await createMysqlDb('pgdump_hash')
  t.teardown(async () => {
    await pg.drop()
    await my.drop()
  })
  const sqlite = await openDb(`sqlite://${path.join(t.testdir(), 'h.db')}`, { readonly: false })
  const pgdb = await openDb(pg.url)
  const mydb = await openDb(my.url)
  t.teardown(async () => {
    await sqlite.close()
    await pgdb.close()
    await mydb.close()
  })
  // PostgreSQL's jsonb reorders keys itself; MariaDB's JSON is text, so it gets the canonical form.
  await fill(sqlite, DDL.sqlite, '{"b":1,"a":[2,"ü"]}')
  await pgdb.exec("set time zone 'Asia/Kolkata'") // must not matter
  await fill(pgdb, DDL.postgres.replace('timestamptz', 'timestamptz'), '{"b": 1, "a": [2, "ü"]}')
  await pgdb.exec("update thing set at = '2024-01-31 12:00:00.123456+00' where id = 1")
  await fill(mydb, DDL.mysql, '{"a":[2,"ü"],"b":1}')
  const s = await hashTables(sqlite)
  const p = await hashTables(pgdb)
  const m = await hashTables(mydb)
  t.equal(s.bulk.rows, N)
  t.same(s.bulk.primary_key, ['id'])
  t.same(s.loose.primary_key, [])
  for (const name of Object.keys(s)) {
    t.equal(p[name].sha256, s[name].sha256, `${name}: PostgreSQL = SQLite`)
    t.equal(m[name].sha256, s[name].sha256, `${name}: MariaDB = SQLite`)
    t.equal(p[name].rows, s[name].rows)
  }
  // a changed value changes the hash
  await sqlite.exec("update bulk set v = 'changed' where id = 5000")
  t.not((await hashTable(sqlite, 'bulk')).sha256, s.bulk.sha256)
  t.same((await tableShape(pgdb, 'thing')).columns.map((c) => c.kind), ['int', 'text', 'bool', 'ts', 'num', 'json', 'bytes'])
})
