import t from 'tap'
import { MysqlCollector, parseTuples } from '../src/sql-inserts.js'

const feed = (c: MysqlCollector, lines: string[]) => {
  for (const l of lines) c.line(l)
  return c.result()
}

t.test('mysqldump INSERT tuples', async (t) => {
  t.same(parseTuples("(1,'a\\'b',NULL,2.5),(2,'C:\\\\x\\ny','',0x41);"), [['1', "a'b", null, '2.5'], ['2', 'C:\\x\ny', '', 'A']])
  t.same(parseTuples("(1,'a\\'b',NULL,0x6869),(2,'c\\\\d\\n','(x)')"), [['1', "a'b", null, 'hi'], ['2', 'c\\d\n', '(x)']])
  t.same(parseTuples("(1,_binary 'ab,c',_utf8mb4'd',null,-3e2)"), [['1', 'ab,c', 'd', null, '-3e2']], 'introducers, lower-case null')
  t.same(parseTuples("(1,'x');(2,'not this statement')"), [['1', 'x']], 'stops at the end of the statement')
  t.same(parseTuples("(1,'\\0\\Z\\t')"), [['1', '\0\x1a\t']])
})

t.test('CREATE TABLE columns, single-line INSERTs', async (t) => {
  const got = feed(new MysqlCollector(new Map([['t', ['id', 'file_path']]])), [
    'CREATE TABLE `t` (', '  `id` bigint(20) NOT NULL,', '  `file_path` longtext NOT NULL,', '  PRIMARY KEY (`id`)', ') ENGINE=InnoDB;',
    "INSERT INTO `t` VALUES (1,'/a, (b)'),(2,'x');",
  ])
  t.same(got.get('t'), { columns: ['id', 'file_path'], rows: [['1', '/a, (b)'], ['2', 'x']] })
})

t.test("MariaDB's one tuple per line", async (t) => {
  const got = feed(new MysqlCollector(new Map([['t', ['file_path']]])), [
    'CREATE TABLE `t` (', '  `id` bigint(20) NOT NULL,', '  `file_path` longtext NOT NULL', ') ENGINE=InnoDB;',
    'INSERT INTO `t` VALUES', "(1,'a;'),", "(2,'b');", 'INSERT INTO `u` VALUES', "(9,'no');",
  ])
  t.same(got.get('t')!.rows, [['a;'], ['b']])
  t.notOk(got.has('u'))
})

t.test('an INSERT with its column list; every column when none are named', async (t) => {
  const got = feed(new MysqlCollector(new Map([['t', []], ['w', ['b']]])), [
    'CREATE TABLE `t` (', '  `id` int,', '  `v` text', ');', 'INSERT INTO `t` VALUES (1,NULL);',
    'INSERT INTO `w` (`a`, `b`) VALUES (1,\'x\'),(2,\'y\');', 'CREATE TABLE `empty` (', '  `id` int', ');',
  ])
  t.same(got.get('t'), { columns: ['id', 'v'], rows: [['1', null]] })
  t.same(got.get('w'), { columns: ['b'], rows: [['x'], ['y']] }, 'no CREATE TABLE needed')
})
