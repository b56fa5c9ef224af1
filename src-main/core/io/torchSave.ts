// PyTorch's torch.save files (.pt, .pth; the zip format of PyTorch ≥ 1.6): a pickle (data.pkl) whose tensors point
// at raw storages (data/0, data/1, …) beside it. The pickle is read by our interpreter (pickle.ts: data only, nothing
// run), with torch's storages and tensors built here, so a checkpoint's tensors (and NumPy arrays) load. Reference:
// torch/serialization.py, torch/_utils.py (_rebuild_tensor_v2).
import { zipEntries } from './zip'
import { allocate, halfToFloat, NPY_DTYPES, NpyFormatError, UnusableContent, viewAs, type NpyArray, type NpyDtype } from './npy'
import { Global, NumpyArray, pickledMembers, unpickle, type PickledMembers, type Value } from './pickle'

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

class Storage {
  constructor(readonly kind: string, readonly key: string) {}
}

/** A tensor, built as the interpreter's NumPy array, so that both are found alike. */
function tensor(array: NpyArray): NumpyArray {
  const built = new NumpyArray()
  built.shape = [...array.shape]
  built.dtype = array.dtype
  built.array = array
  return built
}

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

/** The saved object, its tensors built from the storages. */
function unpickleTorch(bytes: Uint8Array, storages: Record<string, Uint8Array>): Value {
  const lent = new Set<string>()
  return unpickle(bytes, {
    // ('storage', StorageClass, key, location, numel)
    persistent: (pid) => {
      const parts = pid as Value[]
      const kind = parts[1] instanceof Global ? parts[1].name.split('.').pop()! : String(parts[1])
      return new Storage(kind, String(parts[2]))
    },
    reduce: (name, args, reduce) => {
      if (name === 'torch._utils._rebuild_tensor_v2' || name === 'torch._utils._rebuild_tensor') {
        const [storage, offset, size, stride] = args as [Storage, number, number[], number[]]
        if (!(storage instanceof Storage)) throw new NpyFormatError('a tensor without its storage')
        return tensor(rebuild(storages, lent, storage, Number(offset), size.map(Number), stride.map(Number)))
      }
      if (name === 'torch._utils._rebuild_parameter' || name === 'torch._utils._rebuild_parameter_with_state') return args[0]
      // A tensor subclass: the plain tensor is rebuilt by the function it names, from its arguments.
      if (name === 'torch._tensor._rebuild_from_type_v2') return reduce(args[0], args[2] as Value[])
      return undefined
    },
  })
}

/**
 * The tensors (and NumPy arrays, lists of numbers, texts) of a torch.save file, by path; refuses the pre-1.6 format
 * and files without tensors.
 */
export function decodeTorch(bytes: Uint8Array): PickledMembers {
  let entries: Record<string, Uint8Array>
  try {
    entries = zipEntries(bytes)
  } catch (err) {
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) throw new NpyFormatError(`the zip archive cannot be read (${(err as Error).message}); the file may be truncated or damaged`)
    throw new UnusableContent('not a torch.save zip archive (files saved by PyTorch before 1.6, or with _use_new_zipfile_serialization=False, are not read: load and save it again with a current PyTorch)')
  }
  const pickle = Object.keys(entries).find((name) => name === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(name))
  if (!pickle) throw new NpyFormatError('the archive has no data.pkl: it is not a torch.save file')
  const prefix = pickle.slice(0, -'data.pkl'.length)
  const byteorder = entries[`${prefix}byteorder`]
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') throw new NpyFormatError('big-endian tensors are not supported')
  const storages = Object.fromEntries(Object.entries(entries).flatMap(([name, content]) => (name.startsWith(`${prefix}data/`) ? [[name.slice(prefix.length + 5), content]] : [])))
  const found = pickledMembers(unpickleTorch(entries[pickle]!, storages))
  if (!Object.keys(found.arrays).length) throw new NpyFormatError('the file holds no tensors, nor NumPy arrays of numbers')
  return found
}
