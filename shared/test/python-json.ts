import t from 'tap'
import { pythonJson } from '../src/python-json.js'

t.test("Python's json.dumps spelling", async (t) => {
  const v = { a: [], b: {}, c: [1, null, true], d: 'é\u007f😀' }
  t.equal(pythonJson(v), '{"a": [], "b": {}, "c": [1, null, true], "d": "\\u00e9\\u007f\\ud83d\\ude00"}', 'no indent: ", " and ": " separators, ensure_ascii escapes')
  t.equal(pythonJson(v, 2), '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    null,\n    true\n  ],\n  "d": "\\u00e9\\u007f\\ud83d\\ude00"\n}', 'indent: one item a line, empty containers on one')
  t.equal(pythonJson('line\nbreak\u0001'), '"line\\nbreak\\u0001"', 'control characters as Python escapes them')
})
