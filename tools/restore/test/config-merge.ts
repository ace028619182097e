/**
 * Issue 14 item 5: config.ini is merged on restore. The INI parser is checked against Python's own
 * configparser (python3, as C-LARA reads the file: `ConfigParser()` + `read()`), on the dialect's
 * corners; the merge keeps every backup value and what only the checkout has, and Python reads the
 * merged file back as exactly that.
 */
import t from 'tap'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { spawnTool } from '@clara/shared/testkit-spawn'
import { iniValues, parseIni } from '../src/config-ini.js'
import { mergeConfigFile, mergeIni } from '../src/config-merge.js'

type Values = Record<string, Record<string, string>>

/** What Python's configparser reads from `text`: {section: {option: value}} (no defaults merged in), or its error class. */
async function python(text: string): Promise<Values | string> {
  const script = [
    'import configparser, json, sys',
    'c = configparser.ConfigParser(interpolation=None)',
    'try:',
    '    c.read_string(sys.stdin.read())',
    'except configparser.Error as e:',
    '    print(json.dumps(type(e).__name__)); sys.exit(0)',
    'd = {s: {k: v for k, v in c._sections[s].items()} for s in c.sections()}',
    'if c.defaults(): d["DEFAULT"] = dict(c.defaults())',
    'print(json.dumps(d))',
  ].join('\n')
  const r = await spawnTool('python3', ['-c', script], { input: text })
  if (r.code !== 0) throw new Error(`python3 failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

function ours(text: string): Values | string {
  try {
    return Object.fromEntries([...iniValues(parseIni(text))].map(([s, o]) => [s, Object.fromEntries(o)]))
  } catch (err) {
    return (err as Error).message
  }
}

const DIALECT: [string, string][] = [
  ['= and : delimiters, the first one wins, spaces around them', '[s]\na = 1\nb:2\nc = x=y:z\nd : e = f\n  g   =   spaced out  \n'],
  ['option names are case-insensitive (lower-cased), section names are not', '[Sec]\nKey = v\n[sec]\nkey = w\n'],
  ['full-line comments with # and ;, indented too; no inline comments', '# top\n[s]\n; c\n  # c2\na = 1 # not a comment\nb = 2 ; neither\n'],
  ['continuation lines, empty lines inside a value, comment lines skipped inside it', '[s]\nlist = one\n  two\n\n  three\n  # skipped\n    four\n\nnext = 1\n'],
  ['trailing empty lines are not part of the value; a deeper option line is a continuation', '[s]\na = 1\n\n\n  b = 2\n[t]\n  c = 3\n  d = 4\n'],
  ['an empty value, a value with only spaces, $CLARA kept raw', '[s]\nempty =\nspaces =    \npath = $CLARA/clara_content\npct = 100%\n'],
  ['CRLF line ends, no newline at the end', '[s]\r\na = 1\r\nb = 2'],
  ['a header with text after its ]', '[s] trailing\na = 1\n'],
  ['DEFAULT may be opened twice', '[DEFAULT]\na = 1\n[s]\nb = 2\n[DEFAULT]\nc = 3\n'],
]
const ERRORS: [string, string, string][] = [
  ['a duplicate section', '[s]\na = 1\n[s]\nb = 2\n', 'DuplicateSectionError'],
  ['a duplicate option (in any case)', '[s]\na = 1\nA = 2\n', 'DuplicateOptionError'],
  ['an option before any section', 'a = 1\n[s]\n', 'MissingSectionHeaderError'],
  ['a line with no delimiter', '[s]\njust words\n', 'ParsingError'],
  ['an empty option name', '[s]\n= 1\n', 'ParsingError'],
]

t.test("the parser reads configparser's dialect as Python does", async (t) => {
  for (const [what, text] of DIALECT) t.same(ours(text), await python(text), what)
  for (const [what, text, err] of ERRORS) {
    t.equal(await python(text), err, `${what}: Python raises ${err}`)
    t.match(ours(text), /^line \d+: /, `${what}: an error naming the line`)
  }
})

/** An older config.ini (the backup's) and the newer checkout's, which has more sections and options. */
const BACKUP = `# C-LARA config, as it was on the old host
[CLARA_projects]
project_dir = $CLARA/clara_content

[renderer]
template_dir = $CLARA/templates
output_dir = $CLARA/clara_compiled
Output_Dir_Phonetic : $CLARA/clara_compiled_phonetic

[audio_repository]
base_dir_orm = $CLARA/audio/tts_repository_orm
max_context_length = 500
; tuned on the old host
[paths]
readspeaker_license_key = $CLARA/clara_app/clara_core/readspeaker_license_key.txt
`
const CHECKOUT = `[tts]
readspeaker_base_url = https://tts.readspeaker.com/a/speak
abair_base_url = https://synthesis.abair.ie/api/synthesise

[CLARA_projects]
project_dir = $CLARA/clara_content

[renderer]
output_dir_for_questionnaire = $CLARA/clara_compiled_for_questionnaire
template_dir = $CLARA/templates
output_dir = $CLARA/clara_compiled
output_dir_phonetic = $CLARA/clara_compiled_phonetic

[audio_repository]
max_context_length = 200
base_dir_orm = $CLARA/audio/tts_repository_orm
languages = english
    french

    old norse

[image_gloss_repository]
base_dir_orm = $CLARA/gloss_images/image_repository_orm
`

t.test('merge: every backup value wins, what only the checkout has is kept, Python reads the result back', async (t) => {
  const { text, merge } = mergeIni(BACKUP, CHECKOUT)
  const back = (await python(BACKUP)) as Values
  const theirs = (await python(CHECKOUT)) as Values
  const got = (await python(text)) as Values
  const want: Values = {}
  for (const v of [theirs, back]) for (const [s, o] of Object.entries(v)) want[s] = { ...want[s], ...o }
  t.same(got, want, 'Python reads every backup value, plus every section and option only the checkout has')
  t.equal(got.audio_repository.max_context_length, '500', 'the backup wins a value both have')
  t.equal(got.audio_repository.languages, 'english\nfrench\n\nold norse', 'a multi-line value of the checkout survives')
  t.equal(got.tts.readspeaker_base_url, 'https://tts.readspeaker.com/a/speak', 'the section the newer code needs is there')
  const mine = text.split('\n')
  let at = 0
  const inOrder = BACKUP.split('\n').every((l) => (at = mine.indexOf(l, at) + 1) > 0)
  t.ok(inOrder, "every line of the backup's file, comments included, is there in its order")
  t.same(merge.kept_sections, ['tts', 'image_gloss_repository'])
  t.same(merge.kept_options, ['renderer.output_dir_for_questionnaire', 'audio_repository.languages'])
  t.same(merge.overridden, ['audio_repository.max_context_length'])
  t.same(merge.from_backup, ['CLARA_projects.project_dir', 'renderer.template_dir', 'renderer.output_dir', 'renderer.output_dir_phonetic', 'audio_repository.base_dir_orm', 'audio_repository.max_context_length', 'paths.readspeaker_license_key'])
  t.same(mergeIni(text, CHECKOUT).text, text, 'merging again changes nothing (a rerun of the restore)')
})

t.test('mergeConfigFile writes the merged file in place (mode kept); a checkout file that does not parse leaves it alone, named', async (t) => {
  const dir = t.testdir({ 'restored.ini': BACKUP, 'checkout.ini': CHECKOUT, 'bad.ini': '[s]\nno delimiter here\n' })
  const restored = path.join(dir, 'restored.ini')
  const { chmodSync } = await import('node:fs')
  chmodSync(restored, 0o600)
  const m = await mergeConfigFile(restored, path.join(dir, 'checkout.ini'))
  t.same(m.kept_sections, ['tts', 'image_gloss_repository'])
  t.equal(readFileSync(restored, 'utf8'), mergeIni(BACKUP, CHECKOUT).text)
  t.equal(statSync(restored).mode & 0o777, 0o600)
  writeFileSync(restored, BACKUP)
  await t.rejects(mergeConfigFile(restored, path.join(dir, 'bad.ini')), { message: /^the checkout's config\.ini .*bad\.ini does not parse: line 2: not an option line/ })
  t.equal(readFileSync(restored, 'utf8'), BACKUP, 'left as it was')
})

t.test('in the restore: the checkout copy kept aside is merged in; a checkout file that does not parse fails the restore (units.failed, ESITE)', async (t) => {
  const { PassThrough } = await import('node:stream')
  const { Logger } = await import('@clara/shared/log')
  const { StateDir } = await import('../src/markers.js')
  const { Report } = await import('../src/report.js')
  const { repairSite } = await import('../src/site-step.js')
  const err = new PassThrough()
  const log = new Logger({ stderr: err, isTTY: false, env: {} }, 'test')
  for (const [checkout, ok] of [[CHECKOUT, true], ['[s]\nno delimiter here\n', false]] as const) {
    const to = t.testdir({ clara_app: { 'config.ini': BACKUP }, '.clara-restore': { replaced: { clara_app: { 'config.ini': checkout } } } })
    const report = new Report()
    await repairSite(to, null, new StateDir(to), report, log)
    if (ok) {
      t.match(report.site.config_ini, { merged: true, kept_sections: ['tts', 'image_gloss_repository'] })
      t.equal(readFileSync(path.join(to, 'clara_app/config.ini'), 'utf8'), mergeIni(BACKUP, CHECKOUT).text)
      t.equal(report.status(), 'complete')
    } else {
      t.match(report.units.failed, [{ domain: 'site', unit: 'clara_app/config.ini', code: 'ESITE', reason: /does not parse: line 2/ }])
      t.equal(report.status(), 'partial', 'the restore is partial: exit 1')
      t.equal(readFileSync(path.join(to, 'clara_app/config.ini'), 'utf8'), BACKUP, "the backup's file is left as it was")
    }
  }
})
