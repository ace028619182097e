/**
 * clara-text against results worked out by hand from clara_internalise.py, clara_merge_glossed_and_tagged.py
 * and clara_mwe.py at fa5b553 (what Python's `regex` module gives for each pattern).
 */
import t from 'tap'
import { internalise, internalisedText, mergeTexts, mwePositions, segmentText, splitEscaped } from '../src/clara-text.js'

const surface = (text: string, kind: Parameters<typeof internalise>[1]) =>
  internalise(text, kind).map((p) => p.segments.map((s) => s.elements.map((e) => `${e.type}:${e.content}`)))

t.test('pages at <page …>, segments at ||, words in the #…# notation', async (t) => {
  t.same(surface("A#a# b#b#.||C#c#<page img='x.jpg'>D#d#", 'gloss'), [
    [['Word:A', 'NonWordText: ', 'Word:b', 'NonWordText:.'], ['Word:C']],
    [['Word:D']],
  ])
  t.same(surface('x#y#', 'gloss'), [[['Word:x']]], 'a text without a leading <page> is one page')
  t.same(surface('<b>Hi#salut#</b> <img src="a.png">', 'gloss'), [[['Markup:<b>', 'Word:Hi', 'Markup:</b>', 'NonWordText: ', 'Embedded:<img src="a.png">']]])
  t.equal(segmentText(internalise('<b>Hi#salut#</b> <img src="a.png">', 'gloss')[0].segments[0]), '<b>Hi</b> ', 'to_text: no embedded elements')
  const [w] = internalise('Mary#Mary/PROPN#', 'lemma')[0].segments[0].elements
  t.same(w.annotations, { lemma: 'Mary', pos: 'PROPN' }, 'Word#Lemma/POS#')
})

t.test('escapes, split words, and what C-LARA cannot internalise', async (t) => {
  t.same(splitEscaped('C\\#\\##sharp#', '#'), ['C##', 'sharp', ''])
  t.same(surface('C\\#\\##sharp#', 'gloss'), [[['Word:C##']]])
  const pieces = internalise('m|a|r|y#m eh r iy#', 'phonetic')[0].segments[0].elements
  t.same(pieces.map((e) => [e.content, e.annotations.phonetic]), [['m', 'NO_ANNOTATION'], ['a', 'NO_ANNOTATION'], ['r', 'NO_ANNOTATION'], ['y', 'm eh r iy']], 'only the last piece carries the annotation')
  t.throws(() => internalise('It#il# to school#à l’école#', 'gloss'), { name: 'InternalisationError' }, 'a word with a space: unaccounted text')
  t.throws(() => internalise('l|i|tt|le#l ih t ah l#', 'phonetic'), { name: 'InternalisationError' }, 'after a bar, each piece is one character in the pattern')
  t.same(surface('a#b#|c#d#', 'gloss'), [[['Word:a', 'Word:c']]], 'a bar between tokens is not unaccounted text')
})

t.test('translated and MWE segments', async (t) => {
  const tr = internalise('It rains.#Il pleut.#||Nothing#-#||Plain text', 'translated')[0].segments
  t.same(tr.map((s) => [segmentText(s), s.annotations.translated ?? null]), [['It rains.', 'Il pleut.'], ['Nothing', null], ['Plain text', null]])
  t.throws(() => internalise('a#b#c#d', 'translated'), { name: 'InternalisationError' })
  const mw = internalise('It looked up!#looked up#||Fine.#-#||He gave|up.\n_analysis: x\n_MWEs: gave up||bare text', 'mwe')[0].segments
  t.same(mw.map((s) => s.annotations.mwes), [[['looked', 'up']], [], [['gave', 'up']], []])
  t.same(mw[2].elements.map((e) => e.content), ['He', ' ', 'gave', 'up', '.'], 'the full form: main text before _analysis')
  t.throws(() => internalise('x#y#z#w#', 'mwe'), { name: 'InternalisationError' })
})

t.test('merges keep the second text\'s elements; MWEs get their text', async (t) => {
  const gloss = internalise('A#a# B#b#||C#c#<page>D#d#', 'gloss')
  const lemma = internalise('A#a/X# Bee#b/X#', 'lemma')
  const m = mergeTexts(gloss, lemma)
  t.same(m.map((p) => p.segments.map((s) => s.elements.map((e) => e.content))), [[['A', ' ', 'Bee']]], 'zip: shortest pages and segments, second text\'s words')
  t.same(mwePositions(['a', ' ', 'x', ' ', 'a', ' ', 'b'], ['a', 'b']), [4, 6], 'the least spread wins')
  t.same(mwePositions(['b', ' ', 'a'], ['a', 'b']), null, 'positions must increase')
  const text = internalisedText({ gloss: 'It#il# looked#regarda# up#haut#!', lemma: 'It#it/P# looked#look/V# up#up/A#!', mwe: 'It looked up!#looked up#' }, false)!
  t.same(text[0].segments[0].elements.filter((e) => e.type === 'Word').map((e) => e.annotations.mwe_text ?? null), [null, 'looked up', 'looked up'])
  t.throws(() => internalisedText({ gloss: 'a#b#', lemma: 'a#b# <img src="x.png">' }, false), { name: 'InternalisationError' }, 'an embedded element cannot be merged (difflib: unhashable dict)')
  t.equal(internalisedText({ gloss: 'a#b#' }, false), null, 'no lemma: no internalised text')
  t.equal(internalisedText({ gloss: 'a#b#', lemma: 'a#b#' }, true), null, 'no phonetic text')
})
