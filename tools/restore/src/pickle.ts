/**
 * A pickle reader and writer for rewriting strings, protocols 0–5 (Python's `pickletools` opcode
 * set), with no evaluation and no class loading: the byte stream is split into opcodes and their
 * arguments, never executed. A rewrite re-emits every opcode it does not change byte for byte,
 * re-encodes the text opcodes whose string changed (`UNICODE`, `BINUNICODE`, `SHORT_BINUNICODE`,
 * `BINUNICODE8`: the `str` objects of a Python 3 pickle), and recomputes the length of every
 * protocol-4 `FRAME`. With no change the rebuilt output equals the input, byte for byte.
 */

/** How an opcode's argument is laid out after the opcode byte. */
type ArgKind =
  | { fixed: number }
  | { len: 1 | 4 | 8 }
  | 'line'
  | 'line2'
  | 'none'

/** The opcodes, by byte (pickletools.opcodes). */
const OPS = new Map<number, { name: string; arg: ArgKind }>()
const op = (ch: string, name: string, arg: ArgKind) => OPS.set(ch.charCodeAt(0), { name, arg })
// protocol 0 and 1
op('(', 'MARK', 'none'); op('.', 'STOP', 'none'); op('0', 'POP', 'none'); op('1', 'POP_MARK', 'none'); op('2', 'DUP', 'none')
op('F', 'FLOAT', 'line'); op('I', 'INT', 'line'); op('J', 'BININT', { fixed: 4 }); op('K', 'BININT1', { fixed: 1 })
op('L', 'LONG', 'line'); op('M', 'BININT2', { fixed: 2 }); op('N', 'NONE', 'none'); op('P', 'PERSID', 'line')
op('Q', 'BINPERSID', 'none'); op('R', 'REDUCE', 'none'); op('S', 'STRING', 'line'); op('T', 'BINSTRING', { len: 4 })
op('U', 'SHORT_BINSTRING', { len: 1 }); op('V', 'UNICODE', 'line'); op('X', 'BINUNICODE', { len: 4 })
op('a', 'APPEND', 'none'); op('b', 'BUILD', 'none'); op('c', 'GLOBAL', 'line2'); op('d', 'DICT', 'none'); op('}', 'EMPTY_DICT', 'none')
op('e', 'APPENDS', 'none'); op('g', 'GET', 'line'); op('h', 'BINGET', { fixed: 1 }); op('i', 'INST', 'line2'); op('j', 'LONG_BINGET', { fixed: 4 })
op('l', 'LIST', 'none'); op(']', 'EMPTY_LIST', 'none'); op('o', 'OBJ', 'none'); op('p', 'PUT', 'line'); op('q', 'BINPUT', { fixed: 1 })
op('r', 'LONG_BINPUT', { fixed: 4 }); op('s', 'SETITEM', 'none'); op('t', 'TUPLE', 'none'); op(')', 'EMPTY_TUPLE', 'none')
op('u', 'SETITEMS', 'none'); op('G', 'BINFLOAT', { fixed: 8 })
// protocol 2
op('\x80', 'PROTO', { fixed: 1 }); op('\x81', 'NEWOBJ', 'none'); op('\x82', 'EXT1', { fixed: 1 }); op('\x83', 'EXT2', { fixed: 2 })
op('\x84', 'EXT4', { fixed: 4 }); op('\x85', 'TUPLE1', 'none'); op('\x86', 'TUPLE2', 'none'); op('\x87', 'TUPLE3', 'none')
op('\x88', 'NEWTRUE', 'none'); op('\x89', 'NEWFALSE', 'none'); op('\x8a', 'LONG1', { len: 1 }); op('\x8b', 'LONG4', { len: 4 })
// protocol 3
op('B', 'BINBYTES', { len: 4 }); op('C', 'SHORT_BINBYTES', { len: 1 })
// protocol 4
op('\x8c', 'SHORT_BINUNICODE', { len: 1 }); op('\x8d', 'BINUNICODE8', { len: 8 }); op('\x8e', 'BINBYTES8', { len: 8 })
op('\x8f', 'EMPTY_SET', 'none'); op('\x90', 'ADDITEMS', 'none'); op('\x91', 'FROZENSET', 'none'); op('\x92', 'NEWOBJ_EX', 'none')
op('\x93', 'STACK_GLOBAL', 'none'); op('\x94', 'MEMOIZE', 'none'); op('\x95', 'FRAME', { fixed: 8 })
// protocol 5
op('\x96', 'BYTEARRAY8', { len: 8 }); op('\x97', 'NEXT_BUFFER', 'none'); op('\x98', 'READONLY_BUFFER', 'none')

const FRAME = 0x95
const TEXT_OPS = new Set(['UNICODE', 'BINUNICODE', 'SHORT_BINUNICODE', 'BINUNICODE8'])

export class PickleError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`)
  }
}

/** One opcode: its bytes are `buf[start, end)`; `text` is the decoded string of a text opcode. */
export interface PickleOp {
  code: number
  name: string
  start: number
  end: number
  text?: string
  /** for FRAME: where the frame's bytes end */
  frameEnd?: number
}

function readLen(buf: Buffer, at: number, n: 1 | 4 | 8): number {
  if (at + n > buf.length) throw new PickleError('truncated length', at)
  if (n === 1) return buf[at]
  if (n === 4) return buf.readUInt32LE(at)
  const v = buf.readBigUInt64LE(at)
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError('length too large', at)
  return Number(v)
}

function lineEnd(buf: Buffer, at: number): number {
  const nl = buf.indexOf(0x0a, at)
  if (nl < 0) throw new PickleError('unterminated line argument', at)
  return nl + 1
}

/**
 * `raw-unicode-escape`, as pickle's protocol 0 writes `str` (`\uXXXX`/`\UXXXXXXXX` escapes, other
 * bytes latin-1; an escape only after an odd run of backslashes, as CPython decodes it).
 */
export function decodeRawUnicodeEscape(b: Buffer): string {
  let out = ''
  let i = 0
  while (i < b.length) {
    if (b[i] !== 0x5c) {
      out += String.fromCharCode(b[i++])
      continue
    }
    let j = i
    while (j < b.length && b[j] === 0x5c) j++
    const run = j - i
    out += '\\'.repeat(run - (run % 2))
    i += run - (run % 2)
    if (run % 2 === 0) continue
    const kind = b[j]
    const digits = kind === 0x75 ? 4 : kind === 0x55 ? 8 : 0
    if (!digits) {
      out += '\\'
      i++
      continue
    }
    const hex = b.subarray(j + 1, j + 1 + digits).toString('latin1')
    if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) throw new PickleError('bad \\u escape in a UNICODE argument', j)
    out += String.fromCodePoint(parseInt(hex, 16))
    i = j + 1 + digits
  }
  return out
}

/** `str` as pickle protocol 0 writes it (`save_str`): the escapes, then raw-unicode-escape. */
export function encodeRawUnicodeEscape(s: string): Buffer {
  const esc = s.replace(/\\/g, '\\u005c').replace(/\0/g, '\\u0000').replace(/\n/g, '\\u000a').replace(/\r/g, '\\u000d').replace(/\x1a/g, '\\u001a')
  let out = ''
  for (const ch of esc) {
    const cp = ch.codePointAt(0)!
    if (cp < 0x100) out += ch
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`
    else out += `\\U${cp.toString(16).padStart(8, '0')}`
  }
  return Buffer.from(out, 'latin1')
}

/** Python's strict UTF-8 (a lone surrogate is an error, as in a real unpickle). */
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Split a pickle into its opcodes, up to and including STOP. Throws PickleError on anything malformed. */
export function parsePickle(buf: Buffer): PickleOp[] {
  const ops: PickleOp[] = []
  let at = 0
  for (;;) {
    if (at >= buf.length) throw new PickleError('no STOP opcode', at)
    const code = buf[at]
    const def = OPS.get(code)
    if (!def) throw new PickleError(`unknown opcode 0x${code.toString(16)}`, at)
    const start = at
    let end = at + 1
    let text: string | undefined
    const a = def.arg
    if (a === 'line') end = lineEnd(buf, end)
    else if (a === 'line2') end = lineEnd(buf, lineEnd(buf, end))
    else if (a !== 'none' && 'fixed' in a) end += a.fixed
    else if (a !== 'none') {
      const n = readLen(buf, end, a.len)
      end += a.len + n
    }
    if (end > buf.length) throw new PickleError(`truncated ${def.name}`, start)
    if (TEXT_OPS.has(def.name)) {
      const body = def.name === 'UNICODE' ? buf.subarray(start + 1, end - 1) : buf.subarray(end - argLen(buf, start, def.arg), end)
      try {
        text = def.name === 'UNICODE' ? decodeRawUnicodeEscape(body) : utf8.decode(body)
      } catch (err) {
        throw err instanceof PickleError ? err : new PickleError(`${def.name} is not UTF-8`, start)
      }
    }
    const o: PickleOp = { code, name: def.name, start, end, ...(text !== undefined ? { text } : {}) }
    if (code === FRAME) o.frameEnd = end + readLen(buf, start + 1, 8)
    ops.push(o)
    at = end
    if (def.name === 'STOP') return ops
  }
}

function argLen(buf: Buffer, start: number, a: ArgKind): number {
  if (typeof a === 'object' && 'len' in a) return readLen(buf, start + 1, a.len)
  return 0
}

/** A text opcode for `s`: the same opcode when it can hold it, else the next wider one. */
function encodeText(name: string, s: string): Buffer {
  if (name === 'UNICODE') return Buffer.concat([Buffer.from('V'), encodeRawUnicodeEscape(s), Buffer.from('\n')])
  const body = Buffer.from(s, 'utf8')
  if (name === 'SHORT_BINUNICODE' && body.length < 256) return Buffer.concat([Buffer.from([0x8c, body.length]), body])
  if (name !== 'BINUNICODE8' && body.length < 2 ** 32) {
    const head = Buffer.alloc(5)
    head[0] = 0x58
    head.writeUInt32LE(body.length, 1)
    return Buffer.concat([head, body])
  }
  const head = Buffer.alloc(9)
  head[0] = 0x8d
  head.writeBigUInt64LE(BigInt(body.length), 1)
  return Buffer.concat([head, body])
}

export interface PickleRewrite {
  /** the new bytes, rebuilt from the opcodes (equal to the input when nothing changed) */
  data: Buffer
  /** [old, new] per string changed */
  changed: [string, string][]
}

/**
 * Rewrite the strings of a pickle: `map` returns the new string or null to keep it. Opcodes are
 * copied byte for byte except the changed text opcodes and the FRAME headers around them.
 * Bytes after STOP (none in a pickle file) are kept as they are.
 */
export function rewritePickle(buf: Buffer, map: (s: string) => string | null): PickleRewrite {
  const ops = parsePickle(buf)
  const changed: [string, string][] = []
  const out: Buffer[] = []
  // a FRAME's header is written once its contents are known
  let frame: { index: number; end: number; size: number } | null = null
  const closeFrame = () => {
    if (!frame) return
    const head = Buffer.alloc(9)
    head[0] = FRAME
    head.writeBigUInt64LE(BigInt(frame.size), 1)
    out[frame.index] = head
    frame = null
  }
  for (const o of ops) {
    if (frame && o.start >= frame.end) closeFrame()
    if (frame && o.end > frame.end) throw new PickleError(`${o.name} crosses the end of its frame`, o.start)
    if (o.code === FRAME) {
      closeFrame()
      out.push(Buffer.alloc(0))
      frame = { index: out.length - 1, end: o.frameEnd!, size: 0 }
      continue
    }
    let bytes = buf.subarray(o.start, o.end)
    if (o.text !== undefined) {
      const n = map(o.text)
      if (n !== null && n !== o.text) {
        bytes = encodeText(o.name, n)
        changed.push([o.text, n])
      }
    }
    out.push(bytes)
    if (frame) frame.size += bytes.length
  }
  closeFrame()
  // always rebuilt from the opcodes (never the input handed back): equal bytes when nothing changed is the writer's proof
  const last = ops[ops.length - 1]
  return { data: Buffer.concat([...out, buf.subarray(last.end)]), changed }
}
