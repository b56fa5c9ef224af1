// PyTorch's torch.save files (.pt, .pth; the zip format of PyTorch ≥ 1.6): a pickle (data.pkl) whose tensors point
// at raw storages (data/0, data/1, …) beside it. The pickle is read by a small interpreter that builds only what
// such files hold — tensors, NumPy arrays, dicts, lists, tuples, numbers, strings — and never runs anything: any
// other Python object becomes an opaque placeholder, so a checkpoint's tensors still load. Reference:
// torch/serialization.py, torch/_utils.py (_rebuild_tensor_v2), numpy's ndarray.__reduce__ and dtype.__reduce__
// (the array's state: version, shape, dtype, Fortran order, raw bytes), Lib/pickletools.py (the opcodes).
import { zipEntries } from './zip'
import { allocate, decodeNpy, halfToFloat, NPY_DTYPES, npyBytes, NpyFormatError, viewAs, type NpyArray, type NpyDtype } from './npy'

/** What each typed storage holds: the array's dtype and how an element is read from little-endian bytes. */
const STORAGES: Record<string, { dtype: NpyDtype; bytes: number; read: (view: DataView, at: number) => number | bigint }> = {
  FloatStorage: { dtype: '<f4', bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  DoubleStorage: { dtype: '<f8', bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  HalfStorage: { dtype: '<f4', bytes: 2, read: (v, at) => halfToFloat(v.getUint16(at, true)) },
  BFloat16Storage: { dtype: '<f4', bytes: 2, read: (v, at) => new Float32Array(Uint32Array.of(v.getUint16(at, true) << 16).buffer)[0]! },
  LongStorage: { dtype: '<i8', bytes: 8, read: (v, at) => v.getBigInt64(at, true) },
  IntStorage: { dtype: '<i4', bytes: 4, read: (v, at) => v.getInt32(at, true) },
  ShortStorage: { dtype: '<i2', bytes: 2, read: (v, at) => v.getInt16(at, true) },
  CharStorage: { dtype: '|i1', bytes: 1, read: (v, at) => v.getInt8(at) },
  ByteStorage: { dtype: '|u1', bytes: 1, read: (v, at) => v.getUint8(at) },
  BoolStorage: { dtype: '|u1', bytes: 1, read: (v, at) => (v.getUint8(at) ? 1 : 0) },
}

class Global {
  constructor(readonly name: string) {}
}
class Opaque {
  constructor(readonly name: string) {}
}
class Storage {
  constructor(readonly kind: string, readonly key: string) {}
}
class Tensor {
  constructor(readonly array: NpyArray) {}
}
/** A NumPy array in the pickle (torch.save({'features': array})): its data arrive with BUILD. */
class NumpyArray {
  array: NpyArray | null = null
}
/** A NumPy dtype ('f4', 'i8', 'b1'); its byte order arrives with BUILD. */
class NumpyDtype {
  order = '|'
  constructor(readonly kind: string) {}
}
const MARK = Symbol('mark')

/** A zip whose first entry is a torch.save pickle (NAME/data.pkl), from the file's first bytes. */
export function isTorchZip(header: Uint8Array): boolean {
  if (!(header[0] === 0x50 && header[1] === 0x4b && header[2] === 0x03 && header[3] === 0x04) || header.length < 30) return false
  const nameLength = header[26]! | (header[27]! << 8)
  const name = new TextDecoder().decode(header.subarray(30, 30 + nameLength))
  return name.endsWith('/data.pkl') || name === 'data.pkl'
}

/**
 * A tensor's elements in C order. `lent` lists the storages already handed out as a tensor's own array: a contiguous
 * tensor that is most of the file (a features file) and whose storage no other tensor took is a view into the file's
 * bytes, without a copy — half the time of reading a large file; other tensors are copied out.
 */
function rebuild(storages: Record<string, Uint8Array>, lent: Set<string>, storage: Storage, offset: number, size: number[], stride: number[]): NpyArray {
  const spec = STORAGES[storage.kind]
  if (!spec) throw new NpyFormatError(`tensors of ${storage.kind} are not supported (numbers and booleans are)`)
  const raw = storages[storage.key]
  if (!raw) throw new NpyFormatError(`the storage data/${storage.key} a tensor refers to is missing`)
  const count = size.reduce((a, b) => a * b, 1)
  // Checked before anything is allocated: the last element a tensor reads lies inside its storage.
  const last = offset + size.reduce((sum, n, d) => sum + (n - 1) * stride[d]!, 0)
  if (size.some((n) => !(n >= 0)) || stride.some((n) => !(n >= 0)) || (count > 0 && (last + 1) * spec.bytes > raw.byteLength)) {
    throw new NpyFormatError(`a tensor of shape [${size.join(', ')}] reads past the end of its storage data/${storage.key}`)
  }
  // A contiguous tensor of a type stored as it is held: one copy of its bytes.
  const contiguous = size.every((_, d) => size[d] === 1 || stride[d] === size.slice(d + 1).reduce((a, b) => a * b, 1))
  if (contiguous && spec.bytes === NPY_DTYPES[spec.dtype].BYTES_PER_ELEMENT && storage.kind !== 'BoolStorage') {
    const start = raw.byteOffset + offset * spec.bytes
    // Most of the buffer (so keeping it alive costs less than a copy would) and aligned for its type (torch.save
    // aligns storages to 64 bytes in the file).
    const mostOf = 2 * count * spec.bytes > raw.buffer.byteLength && start % spec.bytes === 0
    if (mostOf && !lent.has(storage.key)) {
      lent.add(storage.key)
      return { dtype: spec.dtype, shape: size, data: viewAs(spec.dtype, raw.buffer, start, count) }
    }
    const copy = raw.slice(offset * spec.bytes, (offset + count) * spec.bytes)
    return { dtype: spec.dtype, shape: size, data: viewAs(spec.dtype, copy.buffer, 0, count) }
  }
  const data = allocate(spec.dtype, count) as { [i: number]: number | bigint; length: number }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  const index = new Array<number>(size.length).fill(0)
  for (let k = 0; k < count; k++) {
    let at = offset
    for (let d = 0; d < size.length; d++) at += index[d]! * stride[d]!
    data[k] = spec.read(view, at * spec.bytes)
    for (let d = size.length - 1; d >= 0 && ++index[d]! === size[d]; d--) index[d] = 0
  }
  return { dtype: spec.dtype, shape: size, data: data as unknown as NpyArray['data'] }
}

type Value = unknown

/** NumPy dtypes read from a pickled array: numbers and booleans. */
const NUMPY_KINDS = /^(f2|f4|f8|i1|i2|i4|i8|u1|u2|u4|u8|b1)$/

/** Runs the pickle's opcodes (protocols 2–5), building tensors from the storages. */
function unpickle(bytes: Uint8Array, storages: Record<string, Uint8Array>): Value {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = new TextDecoder()
  const stack: Value[] = []
  const memo = new Map<number, Value>()
  const lent = new Set<string>()
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
  const popMark = (): Value[] => {
    const mark = stack.lastIndexOf(MARK)
    if (mark < 0) throw new NpyFormatError('a pickle opcode found no mark')
    return stack.splice(mark).slice(1)
  }
  const reduce = (callable: Value, args: Value[]): Value => {
    const name = callable instanceof Global ? callable.name : '?'
    if (name === 'torch._utils._rebuild_tensor_v2' || name === 'torch._utils._rebuild_tensor') {
      const [storage, offset, size, stride] = args as [Storage, number, number[], number[]]
      if (!(storage instanceof Storage)) throw new NpyFormatError('a tensor without its storage')
      return new Tensor(rebuild(storages, lent, storage, Number(offset), size.map(Number), stride.map(Number)))
    }
    if (name === 'torch._utils._rebuild_parameter' || name === 'torch._utils._rebuild_parameter_with_state') return args[0]
    // A tensor subclass: the plain tensor is rebuilt by the function it names, from its arguments.
    if (name === 'torch._tensor._rebuild_from_type_v2') return reduce(args[0], args[2] as Value[])
    if (name === 'collections.OrderedDict') return new Map()
    if (name === 'numpy.core.multiarray._reconstruct' || name === 'numpy._core.multiarray._reconstruct') return new NumpyArray()
    if (name === 'numpy.dtype') return new NumpyDtype(String(args[0]))
    // Protocol 2 has no bytes opcode: Python 3 bytes arrive as _codecs.encode(text, 'latin1').
    if (name === '_codecs.encode') return args[1] === 'latin1' ? Uint8Array.from(String(args[0]), (c) => c.charCodeAt(0)) : new TextEncoder().encode(String(args[0]))
    return new Opaque(name)
  }
  const build = (target: Value, state: Value) => {
    if (!Array.isArray(state)) return
    if (target instanceof NumpyDtype) target.order = String(state[1])
    if (target instanceof NumpyArray) {
      const [, shape, dtype, fortran, raw] = state as [unknown, number[], unknown, boolean, unknown]
      // Arrays of objects hold a list, not bytes; text arrays have no numbers: both stay out, as other objects do.
      if (!(dtype instanceof NumpyDtype) || !(raw instanceof Uint8Array) || !NUMPY_KINDS.test(dtype.kind)) return
      const order = dtype.order === '=' ? '<' : dtype.order
      target.array = decodeNpy(npyBytes(`${order}${dtype.kind}`, shape.map(Number), fortran === true, raw))
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
        // BINPERSID: ('storage', StorageClass, key, location, numel)
        const pid = stack.pop() as Value[]
        const kind = pid[1] instanceof Global ? pid[1].name.split('.').pop()! : String(pid[1])
        stack.push(new Storage(kind, String(pid[2])))
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
        stack.push(text.decode(take(u32())))
        break
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(take(u8())))
        break
      case 0x8d: // BINUNICODE8
        at += 8
        stack.push(text.decode(take(Number(view.getBigUint64(at - 8, true)))))
        break
      case 0x55: // SHORT_BINSTRING
        stack.push(text.decode(take(u8())))
        break
      case 0x54: // BINSTRING
        stack.push(text.decode(take(u32())))
        break
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice())
        break
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice())
        break
      case 0x8e: // BINBYTES8
        at += 8
        stack.push(take(Number(view.getBigUint64(at - 8, true))).slice())
        break
      default:
        throw new NpyFormatError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${at - 1}`)
    }
  }
}

/** Every tensor in the saved object, by its path ("features", "model.0.weight", "1" in a list); '' for a lone tensor. */
function tensors(value: Value, path: string, out: Record<string, NpyArray>): Record<string, NpyArray> {
  if (value instanceof Tensor) out[path] = value.array
  else if (value instanceof NumpyArray) {
    if (value.array) out[path] = value.array
  }  else if (value instanceof Map) for (const [k, v] of value) tensors(v, path ? `${path}.${String(k)}` : String(k), out)
  else if (Array.isArray(value)) value.forEach((v, i) => tensors(v, path ? `${path}.${i}` : String(i), out))
  return out
}

/** The tensors of a torch.save file, by path; refuses the pre-1.6 format and files without tensors. */
export function decodeTorch(bytes: Uint8Array): Record<string, NpyArray> {
  let entries: Record<string, Uint8Array>
  try {
    entries = zipEntries(bytes)
  } catch (err) {
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) throw new NpyFormatError(`the zip archive cannot be read (${(err as Error).message}); the file may be truncated or damaged`)
    throw new NpyFormatError('not a torch.save zip archive (files saved by PyTorch before 1.6, or with _use_new_zipfile_serialization=False, are not read: load and save it again with a current PyTorch)')
  }
  const pickle = Object.keys(entries).find((name) => name === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(name))
  if (!pickle) throw new NpyFormatError('the archive has no data.pkl: it is not a torch.save file')
  const prefix = pickle.slice(0, -'data.pkl'.length)
  const byteorder = entries[`${prefix}byteorder`]
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') throw new NpyFormatError('big-endian tensors are not supported')
  const storages = Object.fromEntries(Object.entries(entries).flatMap(([name, content]) => (name.startsWith(`${prefix}data/`) ? [[name.slice(prefix.length + 5), content]] : [])))
  const found = tensors(unpickle(entries[pickle]!, storages), '', {})
  if (!Object.keys(found).length) throw new NpyFormatError('the file holds no tensors, nor NumPy arrays of numbers')
  return found
}
