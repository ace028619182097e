import t from 'tap'
import { CopyCollector, MysqlCollector, copyField, lineFeeder, parseTuples } from '../src/dump-text.js'

t.test('COPY text fields', async (t) => {
  t.equal(copyField('\\N'), null)
  t.equal(copyField('a\\tb\\nc\\\\d'), 'a\tb\nc\\d')
  t.equal(copyField('\\101\\x42'), 'AB')
  t.equal(copyField('C:\\\\cygwin64\\\\x'), 'C:\\cygwin64\\x')
})

t.test('COPY blocks: only the wanted columns of the wanted tables, fed in odd chunks', async (t) => {
  const text = [
    'COPY public.other (id, v) FROM stdin;', '1\tx', '\\.',
    'COPY public.orm_audio_metadata (id, engine_id, "text", file_path) FROM stdin;',
    '1\tgoogle\tmary\t/old/audio/tts_repository_orm/x.mp3', '2\tgoogle\t\\N\tC:\\\\c-lara\\\\audio\\\\y.mp3', '\\.', '',
  ].join('\n')
  const c = new CopyCollector(new Map([['orm_audio_metadata', ['id', 'file_path']]]))
  const f = lineFeeder(c)
  for (let i = 0; i < text.length; i += 7) f.chunk(Buffer.from(text.slice(i, i + 7)))
  f.end()
  t.same([...c.result().entries()], [['orm_audio_metadata', { columns: ['id', 'file_path'], rows: [['1', '/old/audio/tts_repository_orm/x.mp3'], ['2', 'C:\\c-lara\\audio\\y.mp3']] }]])
})

t.test('mysqldump INSERT tuples', async (t) => {
  t.same(parseTuples("(1,'a\\'b',NULL,2.5),(2,'C:\\\\x\\ny','',0x41);"), [['1', "a'b", null, '2.5'], ['2', 'C:\\x\ny', '', '0x41']])
  const c = new MysqlCollector(new Map([['t', ['id', 'file_path']]]))
  for (const l of ['CREATE TABLE `t` (', '  `id` bigint(20) NOT NULL,', '  `file_path` longtext NOT NULL,', '  PRIMARY KEY (`id`)', ') ENGINE=InnoDB;', "INSERT INTO `t` VALUES (1,'/a, (b)'),(2,'x');"]) c.line(l)
  t.same(c.result().get('t'), { columns: ['id', 'file_path'], rows: [['1', '/a, (b)'], ['2', 'x']] })
  const m = new MysqlCollector(new Map([['t', ['file_path']]]))
  for (const l of ['CREATE TABLE `t` (', '  `id` bigint(20) NOT NULL,', '  `file_path` longtext NOT NULL', ') ENGINE=InnoDB;', 'INSERT INTO `t` VALUES', "(1,'a;'),", "(2,'b');", "INSERT INTO `u` VALUES", "(9,'no');"]) m.line(l)
  t.same(m.result().get('t')!.rows, [['a;'], ['b']], "MariaDB's one tuple per line")
})
