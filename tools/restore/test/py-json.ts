import t from 'tap'
import { JNum, JObj, dumpJson, parseJson, pyString, styleOfJson } from '../src/py-json.js'
import { rewriteJson, jsonPathValues } from '../src/json-rewrite.js'
import { PATH_JSON } from '../src/clara-paths.js'
import { RootSet } from '../src/old-roots.js'

const roundTrip = (s: string) => dumpJson(parseJson(s), styleOfJson(s))

t.test("Python's json.dump layouts survive a parse and re-serialisation byte for byte", async (t) => {
  const samples = [
    '[\n    {\n        "file": "$CLARA/clara_content/\\u00c7a_va__12/plain/x.txt",\n        "gold_standard": false\n    }\n]',
    '{\n    "project_dir": "/old/clara_content/\\u00c7a/coherent_images_v2_project_dir",\n    "n": 1,\n    "f": 1.0,\n    "e": 1e-05,\n    "models_for_tasks": {\n        "default": "gpt-4o"\n    },\n    "empty": [],\n    "none": {}\n}',
    '{"a": [1, 2.50, "x\\"y\\\\z\\n"], "b": null, "c": true}',
    '{\n  "two": "spaces",\n  "raw": "Ça va"\n}\n',
    '{"2": "b", "1": "a"}',
    '["\\ud83d\\ude00", "\\u007f", "\\t"]',
  ]
  for (const s of samples) t.equal(roundTrip(s), s, s.slice(0, 40))
})

t.test('numbers and key order are kept as written', async (t) => {
  const v = parseJson('{"b": 1.0, "a": -0.5e3}') as JObj
  t.same(v.entries.map(([k]) => k), ['b', 'a'])
  t.ok(v.get('b') instanceof JNum && (v.get('b') as JNum).raw === '1.0')
})

t.test('strings as Python escapes them', async (t) => {
  t.equal(pyString('Ça/ü€😀\u0001', true), '"\\u00c7a/\\u00fc\\u20ac\\ud83d\\ude00\\u0001"')
  t.equal(pyString('Ça/ü\u0001', false), '"Ça/ü\\u0001"')
})

t.test('bad JSON throws', async (t) => {
  for (const s of ['[', '{"a" 1}', '[1,]x', '"open']) t.throws(() => parseJson(s))
})

t.test('rewriteJson changes only the path field values', async (t) => {
  const rule = PATH_JSON[0]
  const text = '[\n    {\n        "file": "/old/clara_content/\\u00c7a_va__12/plain/x.txt",\n        "label": "\\u00e9t\\u00e9"\n    },\n    {\n        "file": "None"\n    }\n]'
  const roots = new RootSet('/new/root')
  roots.add('/old', 'manifest')
  t.same(jsonPathValues(text, rule), ['/old/clara_content/Ça_va__12/plain/x.txt', 'None'])
  const r = rewriteJson(text, rule, roots)
  t.equal(r.text, text.replace('/old/', '/new/root/'), 'same bytes but the root, escapes kept')
  t.equal(r.changes.length, 1)
  t.equal(r.reformatted, false)
  t.equal(rewriteJson(r.text!, rule, roots).text, null, 'nothing left to rewrite')
})
