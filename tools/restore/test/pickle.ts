/**
 * Issue 14 item 6: the pickled texts (`internalised_and_annotated_text*.pickle`) name audio files
 * by absolute path, and C-LARA uses those paths when it renders a reading history again. The
 * strings are rewritten with our own pickle reader and writer. Python writes real pickles of
 * objects shaped like C-LARA's `clara_app.clara_classes.Text` in protocols 0 to 5; each one is
 * rebuilt byte for byte when nothing changes, and after the rewrite Python loads it and finds
 * every old-root path moved and every other value as it was.
 */
import t from 'tap'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { RootSet } from '../src/old-roots.js'
import { decodeRawUnicodeEscape, encodeRawUnicodeEscape, parsePickle, PickleError, rewritePickle } from '../src/pickle.js'

const dir = t.testdir()
const OLD = '/home/stm-admmxr/C-LARA'
const NEW = '/srv/clara'
const PROTOCOLS = [0, 1, 2, 3, 4, 5]

// A stand-in for clara_app/clara_classes.py: the class names and attributes C-LARA pickles (written here, not copied).
mkdirSync(path.join(dir, 'clara_app'))
writeFileSync(path.join(dir, 'clara_app/__init__.py'), '')
writeFileSync(path.join(dir, 'clara_app/clara_classes.py'), `
class ContentElement:
    def __init__(self, element_type, content, annotations=None):
        self.type = element_type; self.content = content; self.annotations = annotations or {}
class Segment:
    def __init__(self, content_elements, annotations=None):
        self.content_elements = content_elements; self.annotations = annotations or {}
class Page:
    def __init__(self, segments, annotations=None):
        self.segments = segments; self.annotations = annotations or {}
class Text:
    def __init__(self, pages, l2_language, l1_language, annotations=None, voice=None):
        self.l2_language = l2_language; self.l1_language = l1_language; self.pages = pages
        self.annotations = annotations or {}; self.voice = voice
`)

/** Python: make the pickles; `canon` prints a loaded pickle as canonical JSON (objects as [class, attributes]). */
const PY_COMMON = `
import json, pickle, sys
sys.path.insert(0, ${JSON.stringify(dir)})
from clara_app.clara_classes import Text, Page, Segment, ContentElement
def canon(o):
    if isinstance(o, (Text, Page, Segment, ContentElement)): return [type(o).__module__ + '.' + type(o).__name__, canon(vars(o))]
    if isinstance(o, dict): return {'dict': [[canon(k), canon(v)] for k, v in o.items()]}
    if isinstance(o, (list, tuple)): return [type(o).__name__, [canon(x) for x in o]]
    if isinstance(o, (set, frozenset)): return [type(o).__name__, sorted(canon(x) for x in o)]
    if isinstance(o, (bytes, bytearray)): return [type(o).__name__, o.hex()]
    if isinstance(o, float): return ['float', repr(o)]
    if isinstance(o, int) and not isinstance(o, bool): return ['int', str(o)]
    return o
`
const MAKE = `${PY_COMMON}
OLD = ${JSON.stringify(OLD)}
shared = OLD + '/audio/tts_repository_orm/google/en-GB/en-GB-News-J/shared_clip.mp3'
def word(w, n):
    return ContentElement('Word', w, {'gloss': 'g\\u00fc ' + w, 'lemma': w, 'tts': {'engine_id': 'google', 'language_id': 'en-GB', 'voice_id': 'en-GB-News-J',
        'file_path': OLD + '/audio/tts_repository_orm/google/en-GB/en-GB-News-J/en-GB-News-J_20240805_033226_%04d.mp3' % n}})
pages = []
for p in range(3):
    segs = []
    for s in range(4):
        els = [word('w%d_%d_%d' % (p, s, k), p * 100 + s * 10 + k) for k in range(5)]
        els.append(ContentElement('NonWordText', ' \\\\ back\\nslash\\r\\x1a\\x00 \\u00e6\\u00f0ri \\U0001F600 ' + 'x' * 300))
        els.append(ContentElement('Image', {'src': 'pic.png', 'project_id_internal': 'Ça_va__12', 'file_path': OLD + '/images/image_repository_orm/Ça_va__12/pic.png'}))
        segs.append(Segment(els, {'segment_uid': 'seg_%d_%d' % (p, s), 'tts': {'file_path': shared}}))
    pages.append(Page(segs, {'tts': {'engine_id': 'google', 'file_path': 'en-GB-News-J_page_%d.mp3' % p}, 'title': 'Mary'}))
text = Text(pages, 'english', 'french', {'concordance': {'lamb': {'frequency': 3, 'segments': [pages[0].segments[0]]}},
    'misc': (1.5, 2 ** 70, -7, True, None, b'\\x00\\x01', frozenset({'a', OLD + '/x'}), {'s'}, bytearray(b'ab'), 'C:\\\\cygwin64\\\\home\\\\github\\\\c-lara\\\\clara_content\\\\x.txt'),
    'big': 'y' * 70000 + OLD + '/clara_content/never/a/prefix', 'windows': 'C:/cygwin64/home/github/c-lara/audio/tts_repository_orm/a.mp3'}, None)
for proto in range(6):
    with open(${JSON.stringify(dir)} + '/p%d.pickle' % proto, 'wb') as f:
        pickle.dump(text, f, protocol=proto)
`
const LOAD = `${PY_COMMON}
print(json.dumps(canon(pickle.load(open(sys.argv[1], 'rb')))))
`
/** What the rewrite must give: the original loaded, each old-root string moved (Python's own view of the same rule). */
const EXPECT = `${PY_COMMON}
OLD, NEW = ${JSON.stringify(OLD)}, ${JSON.stringify(NEW)}
def mv(o):
    if isinstance(o, str):
        if o.startswith(OLD + '/'): return NEW + o[len(OLD):]
        if o.startswith('C:/cygwin64/home/github/c-lara/'): return NEW + o[len('C:/cygwin64/home/github/c-lara'):]
        if o.startswith('C:\\\\cygwin64\\\\home\\\\github\\\\c-lara\\\\'): return NEW + o[len('C:\\\\cygwin64\\\\home\\\\github\\\\c-lara'):].replace('\\\\', '/')
        return o
    if isinstance(o, list) and len(o) == 2 and o[0] in ('list', 'tuple', 'set', 'frozenset'):
        return [o[0], sorted(mv(x) for x in o[1]) if o[0] in ('set', 'frozenset') else [mv(x) for x in o[1]]]
    if isinstance(o, list): return [mv(x) for x in o]
    if isinstance(o, dict): return {k: mv(v) for k, v in o.items()}
    return o
print(json.dumps(mv(canon(pickle.load(open(sys.argv[1], 'rb'))))))
`

async function py(script: string, ...args: string[]): Promise<string> {
  const r = await spawnTool('python3', ['-c', script, ...args], { timeoutMs: 60_000 })
  if (r.code !== 0) throw new Error(`python3: ${r.stderr}`)
  return r.stdout
}

await py(MAKE)

function roots(): RootSet {
  const r = new RootSet(NEW)
  r.add(OLD, 'manifest')
  r.add('C:/cygwin64/home/github/c-lara', 'from-root')
  return r
}

t.test('each protocol 0–5: parsed to STOP and rebuilt byte for byte when nothing changes', async (t) => {
  for (const p of PROTOCOLS) {
    const buf = readFileSync(path.join(dir, `p${p}.pickle`))
    const ops = parsePickle(buf)
    t.equal(ops.at(-1)!.name, 'STOP', `protocol ${p}: ends with STOP`)
    t.equal(ops.at(-1)!.end, buf.length, `protocol ${p}: every byte is an opcode or its argument`)
    if (p >= 4) t.ok(ops.some((o) => o.name === 'FRAME'), `protocol ${p}: has frames`)
    const same = rewritePickle(buf, () => null)
    t.same(same.changed, [])
    t.ok(same.data.equals(buf), `protocol ${p}: rebuilt from its opcodes, byte for byte`)
    t.ok(rewritePickle(buf, (s) => s).data.equals(buf), `protocol ${p}: a map that returns every string unchanged changes nothing`)
  }
})

t.test('each protocol 0–5: old-root paths rewritten; Python loads it with every other value as it was', async (t) => {
  for (const p of PROTOCOLS) {
    const file = path.join(dir, `p${p}.pickle`)
    const rs = roots()
    const r = rewritePickle(readFileSync(file), (s) => rs.rewrite(s)?.value ?? null)
    t.ok(r.changed.length > 0, `protocol ${p}: ${r.changed.length} string(s) rewritten`)
    t.ok(r.changed.every(([, n]) => n.startsWith(NEW + '/')), `protocol ${p}: into the new root`)
    const out = path.join(dir, `p${p}.rewritten.pickle`)
    writeFileSync(out, r.data)
    t.same(JSON.parse(await py(LOAD, out)), JSON.parse(await py(EXPECT, file)), `protocol ${p}: pickle.load gives the original with the paths moved`)
    await py(`import pickletools, sys; pickletools.dis(open(sys.argv[1], 'rb'), out=open('/dev/null', 'w'))`, out)
    t.same(parsePickle(r.data).filter((o) => o.text?.startsWith(OLD + '/')).map((o) => o.text), [], `protocol ${p}: no string starts with the old root any more`)
    t.same(rewritePickle(r.data, (s) => roots().rewrite(s)?.value ?? null).changed, [], `protocol ${p}: a second rewrite finds nothing (a rerun)`)
  }
})

t.test('raw-unicode-escape (protocol 0 text) both ways, as Python writes it', async (t) => {
  const s = 'a\\b\nc\rd\x1a\0 æ 😀 \u20ac'
  const enc = encodeRawUnicodeEscape(s)
  t.equal(enc.toString('latin1'), 'a\\u005cb\\u000ac\\u000dd\\u001a\\u0000 æ \\U0001f600 \\u20ac'.replace('æ', '\xe6'))
  t.equal(decodeRawUnicodeEscape(enc), s)
  t.equal(decodeRawUnicodeEscape(Buffer.from('\\\\u0041 \\\\\\u0041', 'latin1')), '\\\\u0041 \\\\A', 'an escape only after an odd run of backslashes')
})

t.test('bad input is an error naming the place; nothing is ever executed or imported', async (t) => {
  t.throws(() => parsePickle(Buffer.from([0x80, 0x04, 0xff])), { message: /^unknown opcode 0xff at byte 2$/ })
  t.throws(() => parsePickle(Buffer.from('\x80\x04\x8c\x05ab', 'latin1')), { message: /^truncated SHORT_BINUNICODE at byte 2$/ })
  t.ok(new PickleError('x', 1) instanceof Error)
  t.throws(() => parsePickle(Buffer.from('N')), { message: /no STOP/ })
  // a pickle that would call os.system on load: only read as opcodes, its strings rewritable, nothing run
  const evil = Buffer.from(`cos\nsystem\n(V${OLD}/x\ntR.`, 'latin1')
  const r = rewritePickle(evil, (s) => roots().rewrite(s)?.value ?? null)
  t.same(parsePickle(evil).map((o) => o.name), ['GLOBAL', 'MARK', 'UNICODE', 'TUPLE', 'REDUCE', 'STOP'])
  t.equal(r.data.toString('latin1'), `cos\nsystem\n(V${NEW}/x\ntR.`)
})
