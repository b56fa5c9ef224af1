// A small pickle interpreter (protocols 2–5) that builds only data — dicts, lists, tuples, numbers, strings, bytes,
// NumPy arrays — and never runs anything: any other Python object becomes an opaque placeholder. torch.save files
// and NumPy's object arrays (.npy with dtype object: names from pandas) are pickles. Reference: Lib/pickletools.py
// (the opcodes); numpy's ndarray.__reduce__ and dtype.__reduce__ (an array's state: version, shape, dtype, Fortran
// order, raw bytes or a list of objects).
import { arrayFromBytes, fixedWidthStrings, NpyFormatError, type NpyArray } from './npy'

export type Value = unknown

/** A class or function the pickle names (module.name). */
export class Global {
  constructor(readonly name: string) {}
}
/** An object of a class this interpreter does not build. */
export class Opaque {
  constructor(readonly name: string) {}
}
/** A NumPy array: its data arrive with BUILD — numbers and booleans as an array, objects as a list. */
export class NumpyArray {
  shape: number[] = []
  /** As NumPy names it ('<f4', '|O', '<U12'), once BUILD has come. */
  dtype = '|O'
  array: NpyArray | null = null
  objects: Value[] | null = null
}
/** A NumPy dtype ('f4', 'i8', 'b1', 'O8'); its byte order arrives with BUILD. */
class NumpyDtype {
  order = '|'
  constructor(readonly kind: string) {}
}
const MARK = Symbol('mark')

/** Arrays of at least this many bytes are views of the pickle's bytes rather than copies (smaller ones would keep the whole file alive). */
const VIEW_BYTES = 1 << 20

/** NumPy dtypes read from a pickled array as numbers: numbers and booleans. */
const NUMPY_KINDS = /^(f2|f4|f8|i1|i2|i4|i8|u1|u2|u4|u8|b1)$/

/** NumPy's fixed-width text dtypes: unicode ('U12', UTF-32) and bytes ('S12'). */
const FIXED_TEXT = /^([US])(\d+)$/

export interface PickleHooks {
  persistent?: (pid: Value) => Value
  /** What `name(...args)` builds, or undefined to leave it to the interpreter; `reduce` builds a nested call. */
  reduce?: (name: string, args: Value[], reduce: (callable: Value, args: Value[]) => Value) => Value | undefined
}

/**
 * Runs a pickle's opcodes (protocols 2–5). `hooks.persistent` answers BINPERSID (torch's storages); `hooks.reduce`
 * builds what a caller knows (a tensor) and returns undefined for the rest, which is built here or left opaque.
 */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks = {}): Value {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = new TextDecoder()
  const stack: Value[] = []
  const memo = new Map<number, Value>()
  let at = 0
  const u8 = () => bytes[at++]!
  const u16 = () => ((at += 2), view.getUint16(at - 2, true))
  const u32 = () => ((at += 4), view.getUint32(at - 4, true))
  const take = (n: number) => {
    if (at + n > bytes.length) throw new NpyFormatError('the pickle ends early')
    return bytes.subarray(at, (at += n))
  }
  const line = () => {
    const end = bytes.indexOf(0x0a, at)
    if (end < 0) throw new NpyFormatError('the pickle ends early')
    const s = text.decode(bytes.subarray(at, end))
    at = end + 1
    return s
  }
  // Bytes values are views of the pickle's own bytes; each one's floor is where the bytes value before it ended. A
  // large array's bytes are moved back, at most an item's size, into the opcodes between (read already, never
  // another value's bytes) to align them, and the array is a view of them: a copy of a large array into fresh
  // memory costs as much as reading the file.
  const floors = new WeakMap<Uint8Array, number>()
  let handedOut = 0
  const bytesValue = (n: number): Uint8Array => {
    const value = take(n)
    floors.set(value, handedOut)
    handedOut = at
    return value
  }
  const moved = new WeakMap<Uint8Array, Uint8Array>()
  const aligned = (raw: Uint8Array, itemBytes: number): Uint8Array | null => {
    const done = moved.get(raw)
    if (done) return done
    const floor = floors.get(raw)
    const start = raw.byteOffset - bytes.byteOffset
    const shift = raw.byteOffset % itemBytes
    if (floor === undefined || raw.length < VIEW_BYTES || start - shift < floor) return null
    if (shift === 0) return raw
    bytes.copyWithin(start - shift, start, start + raw.length)
    const view = bytes.subarray(start - shift, start - shift + raw.length)
    moved.set(raw, view)
    return view
  }
  const popMark = (): Value[] => {
    const mark = stack.lastIndexOf(MARK)
    if (mark < 0) throw new NpyFormatError('a pickle opcode found no mark')
    return stack.splice(mark).slice(1)
  }
  const reduce = (callable: Value, args: Value[]): Value => {
    const name = callable instanceof Global ? callable.name : '?'
    const built = hooks.reduce?.(name, args, reduce)
    if (built !== undefined) return built
    if (name === 'collections.OrderedDict') return new Map()
    if (name === 'numpy.core.multiarray._reconstruct' || name === 'numpy._core.multiarray._reconstruct') return new NumpyArray()
    if (name === 'numpy.dtype') return new NumpyDtype(String(args[0]))
    // Protocol 5: _frombuffer(bytes, dtype, shape, order), the dtype already built.
    if (name === 'numpy.core.numeric._frombuffer' || name === 'numpy._core.numeric._frombuffer') {
      const array = new NumpyArray()
      fill(array, args[1], args[2], args[3] === 'F', args[0])
      return array
    }
    // Protocol 2 has no bytes opcode: Python 3 bytes arrive as _codecs.encode(text, 'latin1').
    if (name === '_codecs.encode') return args[1] === 'latin1' ? Uint8Array.from(String(args[0]), (c) => c.charCodeAt(0)) : new TextEncoder().encode(String(args[0]))
    return new Opaque(name)
  }
  /** An array's contents: a list of objects (strings, for names), or the raw bytes of numbers, booleans or text. */
  const fill = (target: NumpyArray, dtype: Value, shape: Value, fortran: boolean, raw: Value) => {
    if (!(dtype instanceof NumpyDtype) || !Array.isArray(shape)) return
    target.shape = shape.map(Number)
    if (Array.isArray(raw)) target.objects = raw
    if (!(raw instanceof Uint8Array)) return
    target.dtype = `${dtype.order}${dtype.kind}`
    const text = FIXED_TEXT.exec(dtype.kind)
    if (text) target.objects = fixedWidthStrings(raw, text[1] === 'U', Number(text[2]), dtype.order !== '>')
    if (!NUMPY_KINDS.test(dtype.kind)) return
    const order = dtype.order === '=' ? '<' : dtype.order
    const inPlace = order === '<' || order === '|' ? aligned(raw, Number(dtype.kind.slice(1))) : null
    target.array = arrayFromBytes(`${order}${dtype.kind}`, target.shape, fortran, inPlace ?? raw, inPlace !== null)
  }
  const build = (target: Value, state: Value) => {
    if (!Array.isArray(state)) return
    if (target instanceof NumpyDtype) target.order = String(state[1])
    if (target instanceof NumpyArray) {
      const [, shape, dtype, fortran, raw] = state as [unknown, number[], unknown, boolean, unknown]
      fill(target, dtype, shape, fortran === true, raw)
    }
  }
  const setItems = (target: Value, items: Value[]) => {
    if (!(target instanceof Map)) return
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1])
  }
  for (;;) {
    if (at >= bytes.length) throw new NpyFormatError('the pickle ends without STOP')
    const op = u8()
    switch (op) {
      case 0x80: // PROTO
        u8()
        break
      case 0x95: // FRAME
        take(8)
        break
      case 0x2e: // STOP
        return stack.pop()
      case 0x28: // MARK
        stack.push(MARK)
        break
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line()
        stack.push(new Global(`${module}.${line()}`))
        break
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = stack.pop()
        stack.push(new Global(`${String(stack.pop())}.${String(name)}`))
        break
      }
      case 0x51: {
        // BINPERSID
        if (!hooks.persistent) throw new NpyFormatError('the pickle refers to data outside it (a persistent id)')
        stack.push(hooks.persistent(stack.pop()))
        break
      }
      case 0x52: {
        // REDUCE
        const args = stack.pop() as Value[]
        stack.push(reduce(stack.pop(), args))
        break
      }
      case 0x81: {
        // NEWOBJ
        const args = stack.pop() as Value[]
        stack.push(reduce(stack.pop(), args))
        break
      }
      case 0x62: {
        // BUILD: an object's state, kept for NumPy arrays and dtypes
        const state = stack.pop()
        build(stack[stack.length - 1], state)
        break
      }
      case 0x71: // BINPUT
        memo.set(u8(), stack[stack.length - 1])
        break
      case 0x72: // LONG_BINPUT
        memo.set(u32(), stack[stack.length - 1])
        break
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack[stack.length - 1])
        break
      case 0x68: // BINGET
        stack.push(memo.get(u8()))
        break
      case 0x6a: // LONG_BINGET
        stack.push(memo.get(u32()))
        break
      case 0x29: // EMPTY_TUPLE
        stack.push([])
        break
      case 0x85: // TUPLE1
        stack.push([stack.pop()])
        break
      case 0x86: {
        // TUPLE2
        const b = stack.pop()
        stack.push([stack.pop(), b])
        break
      }
      case 0x87: {
        // TUPLE3
        const c = stack.pop()
        const b = stack.pop()
        stack.push([stack.pop(), b, c])
        break
      }
      case 0x74: // TUPLE
        stack.push(popMark())
        break
      case 0x5d: // EMPTY_LIST
        stack.push([])
        break
      case 0x6c: // LIST
        stack.push(popMark())
        break
      case 0x61: {
        // APPEND
        const item = stack.pop()
        ;(stack[stack.length - 1] as Value[]).push(item)
        break
      }
      case 0x65: {
        // APPENDS
        const items = popMark()
        ;(stack[stack.length - 1] as Value[]).push(...items)
        break
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map())
        break
      case 0x73: {
        // SETITEM
        const value = stack.pop()
        const key = stack.pop()
        setItems(stack[stack.length - 1], [key, value])
        break
      }
      case 0x75: {
        // SETITEMS
        const items = popMark()
        setItems(stack[stack.length - 1], items)
        break
      }
      case 0x8f: // EMPTY_SET
        stack.push([])
        break
      case 0x90: // ADDITEMS
        popMark()
        break
      case 0x91: // FROZENSET
        stack.push(popMark())
        break
      case 0x4e: // NONE
        stack.push(null)
        break
      case 0x88: // NEWTRUE
        stack.push(true)
        break
      case 0x89: // NEWFALSE
        stack.push(false)
        break
      case 0x4b: // BININT1
        stack.push(u8())
        break
      case 0x4d: // BININT2
        stack.push(u16())
        break
      case 0x4a: // BININT
        stack.push((at += 4, view.getInt32(at - 4, true)))
        break
      case 0x8a: {
        // LONG1: a little-endian two's-complement integer of n bytes
        const digits = take(u8())
        let value = 0n
        for (let i = digits.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(digits[i]!)
        if (digits.length && digits[digits.length - 1]! & 0x80) value -= 1n << BigInt(8 * digits.length)
        stack.push(Number(value))
        break
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push((at += 8, view.getFloat64(at - 8, false)))
        break
      case 0x58: // BINUNICODE
      case 0x54: // BINSTRING (Python 2 text)
        stack.push(text.decode(take(u32())))
        break
      case 0x8c: // SHORT_BINUNICODE
      case 0x55: // SHORT_BINSTRING
        stack.push(text.decode(take(u8())))
        break
      case 0x8d: // BINUNICODE8
        at += 8
        stack.push(text.decode(take(Number(view.getBigUint64(at - 8, true)))))
        break
      // Bytes are views of the pickle's own bytes: an array built from them copies what it keeps, or, when large,
      // is a view of them (bytesValue).
      case 0x43: // SHORT_BINBYTES
        stack.push(bytesValue(u8()))
        break
      case 0x42: // BINBYTES
        stack.push(bytesValue(u32()))
        break
      case 0x96: // BYTEARRAY8 (protocol 5, a NumPy array's buffer pickled in band)
      case 0x8e: // BINBYTES8
        at += 8
        stack.push(bytesValue(Number(view.getBigUint64(at - 8, true))))
        break
      default:
        throw new NpyFormatError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${at - 1}`)
    }
  }
}

/** What a pickled object holds, each by its path: "features", "model.0.weight", "pattern_descriptors.conds". */
export interface PickledMembers {
  /** NumPy arrays of numbers, and lists of numbers (nested lists as long as they are rectangular, as float64). */
  arrays: Record<string, NpyArray>
  /** Text: NumPy string arrays, arrays of objects that are strings, lists of strings. */
  texts: Record<string, { shape: number[]; values: string[] }>
  /** What is not read, described: a NumPy array of another dtype, an object of a class ("pandas…DataFrame"). */
  others: Record<string, string>
}

/** A rectangular nested list of numbers (booleans as 0/1) as a float64 array, or null. */
function numberList(list: Value[]): NpyArray | null {
  const shape: number[] = []
  for (let level: Value = list; Array.isArray(level); level = level[0]) {
    if (!level.length) return null
    shape.push(level.length)
  }
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1))
  let at = 0
  const fill = (value: Value, depth: number): boolean => {
    if (depth === shape.length) {
      if (typeof value !== 'number' && typeof value !== 'boolean') return false
      data[at++] = Number(value)
      return true
    }
    return Array.isArray(value) && value.length === shape[depth] && value.every((v) => fill(v, depth + 1))
  }
  return fill(list, 0) ? { dtype: '<f8', shape, data } : null
}

const isStrings = (values: Value[] | null): values is string[] => values !== null && values.length > 0 && values.every((v) => typeof v === 'string')

/**
 * Every array and text in an unpickled object, by path (dict keys and list positions joined by dots); scalars
 * (numbers, a string attribute) are not members.
 */
export function pickledMembers(root: Value): PickledMembers {
  const found: PickledMembers = { arrays: {}, texts: {}, others: {} }
  const visit = (value: Value, path: string) => {
    const at = (key: Value) => (path ? `${path}.${String(key)}` : String(key))
    if (value instanceof NumpyArray) {
      if (value.array) found.arrays[path] = value.array
      else if (isStrings(value.objects)) found.texts[path] = { shape: value.shape, values: value.objects }
      else found.others[path] = `NumPy array of dtype ${value.dtype}`
    } else if (value instanceof Map) {
      for (const [k, v] of value) visit(v, at(k))
    } else if (Array.isArray(value)) {
      const numbers = numberList(value)
      if (numbers) found.arrays[path] = numbers
      else if (isStrings(value)) found.texts[path] = { shape: [value.length], values: value }
      else value.forEach((v, i) => visit(v, at(i)))
    } else if (value instanceof Opaque) {
      found.others[path] = value.name
    }
  }
  visit(root, '')
  return found
}
