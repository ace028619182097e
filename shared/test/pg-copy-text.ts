import t from 'tap'
import { CopyCollector, copyField, copyHeader } from '../src/pg-copy-text.js'
import { lineFeeder } from '../src/row-collector.js'

t.test('COPY text fields', async (t) => {
  t.equal(copyField('\\N'), null)
  t.equal(copyField('a\\tb\\nc\\\\d'), 'a\tb\nc\\d')
  t.equal(copyField('\\101\\x42'), 'AB')
  t.equal(copyField('\\303\\251t\\xc3\\xa9'), 'été', 'escaped bytes are UTF-8')
  t.equal(copyField('C:\\\\cygwin64\\\\x'), 'C:\\cygwin64\\x')
  t.equal(copyField('plain ü'), 'plain ü')
})

t.test('COPY header lines', async (t) => {
  t.same(copyHeader('COPY public.orm_audio_metadata (id, "file_path") FROM stdin;'), { table: 'orm_audio_metadata', columns: ['id', 'file_path'] })
  t.same(copyHeader('COPY "odd.schema"."a ""b""" ("x, y", z) FROM stdin;'), { table: 'a "b"', columns: ['x, y', 'z'] })
  t.equal(copyHeader('SET client_encoding = UTF8;'), null)
})

t.test('COPY blocks: every block of the text, the wanted columns only', async (t) => {
  const c = new CopyCollector(new Map([['orm_audio_metadata', []]]))
  for (const l of 'SET x;\nCOPY public.orm_audio_metadata (id, "file_path") FROM stdin;\n1\t/a/b\n2\t\\N\n\\.\n'.split('\n')) c.line(l)
  t.same([...c.result()], [['orm_audio_metadata', { columns: ['id', 'file_path'], rows: [['1', '/a/b'], ['2', null]] }]], 'no columns named: all of them')
})

t.test('COPY blocks: only the wanted columns of the wanted tables, fed in odd chunks', async (t) => {
  const text = [
    'COPY public.other (id, v) FROM stdin;', '1\tx', '\\.',
    'COPY public.orm_audio_metadata (id, engine_id, "text", file_path) FROM stdin;',
    '1\tgoogle\tmary\t/old/audio/tts_repository_orm/x.mp3', '2\tgoogle\t\\N\tC:\\\\c-lara\\\\audio\\\\y.mp3', '\\.', '',
  ].join('\r\n')
  const c = new CopyCollector(new Map([['orm_audio_metadata', ['id', 'file_path', 'absent']]]))
  const f = lineFeeder(c)
  for (let i = 0; i < text.length; i += 7) f.chunk(Buffer.from(text.slice(i, i + 7)))
  f.end()
  t.same([...c.result().entries()], [['orm_audio_metadata', {
    columns: ['id', 'file_path', 'absent'],
    rows: [['1', '/old/audio/tts_repository_orm/x.mp3', null], ['2', 'C:\\c-lara\\audio\\y.mp3', null]],
  }]])
})

t.test('a UTF-8 character split between chunks', async (t) => {
  const c = new CopyCollector(new Map([['t', ['v']]]))
  const f = lineFeeder(c)
  const buf = Buffer.from('COPY t (v) FROM stdin;\nmāori\n\\.\n')
  const cut = buf.indexOf(Buffer.from('ā')) + 1
  f.chunk(buf.subarray(0, cut))
  f.chunk(buf.subarray(cut))
  f.end()
  t.same(c.result().get('t')!.rows, [['māori']])
})
