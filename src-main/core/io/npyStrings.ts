// .npy arrays of text (NumPy's fixed-width unicode '<U…': UTF-32 little endian, zero-padded), such as the
// `filenames` of AligNet's triplet files, and object arrays of strings.
import { fixedWidthStrings, npyBytes, npyHeaderText, NpyFormatError } from './npy'
import { NumpyArray, unpickle } from './pickle'

export interface NpyStrings {
  shape: number[]
  values: string[]
}

export function encodeNpyStrings(shape: number[], values: string[]): Uint8Array {
  if (shape.reduce((a, b) => a * b, 1) !== values.length) throw new NpyFormatError(`shape (${shape.join(', ')}) does not hold ${values.length} strings`)
  const points = values.map((v) => Array.from(v, (c) => c.codePointAt(0)!))
  const width = Math.max(1, ...points.map((p) => p.length))
  const payload = new Uint32Array(values.length * width)
  points.forEach((p, i) => payload.set(p, i * width))
  return npyBytes(`<U${width}`, shape, false, new Uint8Array(payload.buffer))
}

/**
 * The strings of a .npy text array: NumPy's fixed-width unicode, or an array of objects that are all strings (what
 * np.save writes for a pandas column of names: a pickle, read by our interpreter, which runs nothing).
 */
export function decodeNpyStrings(bytes: Uint8Array): NpyStrings {
  const { header, dataOffset } = npyHeaderText(bytes)
  if (/'descr':\s*'\|O'/.test(header)) return objectStrings(bytes.subarray(dataOffset))
  const descr = /'descr':\s*'([<>|=])U(\d+)'/.exec(header)
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]
  if (!descr || shapeText === undefined) throw new NpyFormatError('not a NumPy text array (descr <U…, or objects that are strings)')
  if (/'fortran_order':\s*True/.test(header)) throw new NpyFormatError('Fortran-ordered string arrays are not supported')
  const width = Number(descr[2])
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number)
  const count = shape.reduce((a, b) => a * b, 1)
  if (bytes.length - dataOffset < count * width * 4) throw new NpyFormatError('truncated string array')
  // '<U0' holds empty strings and no bytes.
  const values = width ? fixedWidthStrings(bytes.subarray(dataOffset, dataOffset + count * width * 4), true, width, descr[1] !== '>') : new Array<string>(count).fill('')
  return { shape, values }
}

/** An object array's pickle, when every object is a string. */
function objectStrings(pickle: Uint8Array): NpyStrings {
  const array = unpickle(pickle)
  const values = array instanceof NumpyArray ? array.objects : null
  if (!values || !values.every((v): v is string => typeof v === 'string')) throw new NpyFormatError('an array of objects that are not all text')
  return { shape: (array as NumpyArray).shape, values }
}
