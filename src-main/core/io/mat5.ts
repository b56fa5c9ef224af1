// MATLAB Level 5 MAT-files (v5, v6, v7: what `save` writes unless -v7.3): numeric and logical arrays, char
// arrays, cell arrays, structs and struct arrays, compressed elements, either byte order. Reference: MathWorks,
// "MAT-File Format" (matfile_format.pdf), chapter 1. Sparse arrays and objects are reported, not read.
import { unzlibSync } from 'fflate'
import { allocate, viewAs, type NpyArray, type NpyData, type NpyDtype } from './npy'

export class MatFormatError extends Error {
  override name = 'MatFormatError'
}

export type MatValue =
  | { kind: 'numeric'; className: string; logical: boolean; complex: boolean; array: NpyArray; imaginary?: NpyArray }
  | { kind: 'char'; shape: number[]; text: string[] }
  | { kind: 'cell'; shape: number[]; cells: MatValue[] }
  | { kind: 'struct'; shape: number[]; fields: string[]; elements: Record<string, MatValue>[] }
  | { kind: 'unsupported'; className: string; shape: number[] }

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15, UTF8: 16, UTF16: 17, UTF32: 18 }

const MI_READ: Record<number, { bytes: number; get: (v: DataView, at: number, le: boolean) => number | bigint }> = {
  [MI.INT8]: { bytes: 1, get: (v, at) => v.getInt8(at) },
  [MI.UINT8]: { bytes: 1, get: (v, at) => v.getUint8(at) },
  [MI.INT16]: { bytes: 2, get: (v, at, le) => v.getInt16(at, le) },
  [MI.UINT16]: { bytes: 2, get: (v, at, le) => v.getUint16(at, le) },
  [MI.INT32]: { bytes: 4, get: (v, at, le) => v.getInt32(at, le) },
  [MI.UINT32]: { bytes: 4, get: (v, at, le) => v.getUint32(at, le) },
  [MI.SINGLE]: { bytes: 4, get: (v, at, le) => v.getFloat32(at, le) },
  [MI.DOUBLE]: { bytes: 8, get: (v, at, le) => v.getFloat64(at, le) },
  [MI.INT64]: { bytes: 8, get: (v, at, le) => v.getBigInt64(at, le) },
  [MI.UINT64]: { bytes: 8, get: (v, at, le) => v.getBigUint64(at, le) },
  [MI.UTF8]: { bytes: 1, get: (v, at) => v.getUint8(at) },
  [MI.UTF16]: { bytes: 2, get: (v, at, le) => v.getUint16(at, le) },
  [MI.UTF32]: { bytes: 4, get: (v, at, le) => v.getUint32(at, le) },
}

/** MATLAB classes of numeric arrays, as the dtype we hold them in. */
const CLASS: Record<number, { name: string; dtype: NpyDtype } | undefined> = {
  6: { name: 'double', dtype: '<f8' },
  7: { name: 'single', dtype: '<f4' },
  8: { name: 'int8', dtype: '|i1' },
  9: { name: 'uint8', dtype: '|u1' },
  10: { name: 'int16', dtype: '<i2' },
  11: { name: 'uint16', dtype: '<u2' },
  12: { name: 'int32', dtype: '<i4' },
  13: { name: 'uint32', dtype: '<u4' },
  14: { name: 'int64', dtype: '<i8' },
  15: { name: 'uint64', dtype: '<u8' },
}
const CLASS_NAMES: Record<number, string> = { 1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 16: 'function handle', 17: 'opaque' }

interface Element {
  type: number
  view: DataView
  /** Offset and length of its data within `view`. */
  start: number
  length: number
}

class Reader {
  constructor(
    private readonly view: DataView,
    private readonly le: boolean,
    private pos: number,
    private readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos + 8 > this.end
  }

  next(): Element {
    if (this.pos + 8 > this.end) throw new MatFormatError('truncated .mat file: a data element is cut off')
    const first = this.view.getUint32(this.pos, this.le)
    // Small data element: size and type packed in one word, data in the next four bytes.
    if (first >>> 16 !== 0) {
      const element = { type: first & 0xffff, view: this.view, start: this.pos + 4, length: first >>> 16 }
      this.pos += 8
      return element
    }
    const length = this.view.getUint32(this.pos + 4, this.le)
    const start = this.pos + 8
    if (start + length > this.end) throw new MatFormatError(`truncated .mat file: an element of ${length} bytes runs past the end`)
    // Compressed elements are not padded; everything else is padded to 8 bytes.
    this.pos = first === MI.COMPRESSED ? start + length : start + Math.ceil(length / 8) * 8
    return { type: first, view: this.view, start, length }
  }
}

function numbers(e: Element, le: boolean): (number | bigint)[] {
  const reader = MI_READ[e.type]
  if (!reader) throw new MatFormatError(`unexpected data type ${e.type} in a numeric element`)
  const count = Math.floor(e.length / reader.bytes)
  const out = new Array<number | bigint>(count)
  for (let i = 0; i < count; i++) out[i] = reader.get(e.view, e.start + i * reader.bytes, le)
  return out
}

/** The mi type whose bytes are exactly our dtype (little-endian), for a straight copy. */
const SAME_LAYOUT: Record<number, NpyDtype> = {
  [MI.INT8]: '|i1',
  [MI.UINT8]: '|u1',
  [MI.INT16]: '<i2',
  [MI.UINT16]: '<u2',
  [MI.INT32]: '<i4',
  [MI.UINT32]: '<u4',
  [MI.SINGLE]: '<f4',
  [MI.DOUBLE]: '<f8',
  [MI.INT64]: '<i8',
  [MI.UINT64]: '<u8',
}

/** An element's values in the array class's dtype (MATLAB stores e.g. integer-valued doubles as uint8). */
function typed(e: Element, le: boolean, dtype: NpyDtype): NpyData {
  const reader = MI_READ[e.type]
  if (!reader) throw new MatFormatError(`unexpected data type ${e.type} in a numeric element`)
  const count = Math.floor(e.length / reader.bytes)
  if (le && SAME_LAYOUT[e.type] === dtype) {
    const copy = new Uint8Array(e.view.buffer, e.view.byteOffset + e.start, count * reader.bytes).slice()
    return viewAs(dtype, copy.buffer, 0, count)
  }
  const out = allocate(dtype, count)
  const big = dtype === '<i8' || dtype === '<u8'
  const target = out as unknown as { [i: number]: number | bigint }
  for (let i = 0; i < count; i++) {
    const v = reader.get(e.view, e.start + i * reader.bytes, le)
    target[i] = big ? BigInt(v) : Number(v)
  }
  return out
}

function text(e: Element, le: boolean): string {
  if (e.type === MI.UTF8 || e.type === MI.UINT8 || e.type === MI.INT8) {
    return new TextDecoder('utf-8').decode(new Uint8Array(e.view.buffer, e.view.byteOffset + e.start, e.length))
  }
  return String.fromCodePoint(...numbers(e, le).map(Number))
}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/** A column-major char array as its rows (one string per row for 2-D; a single string for a row vector). */
function charRows(codes: string, shape: number[]): string[] {
  const [rows = 0, cols = 0] = shape
  if (product(shape) === 0) return ['']
  const chars = Array.from(codes)
  const out: string[] = []
  for (let r = 0; r < rows; r++) {
    let row = ''
    for (let c = 0; c < cols; c++) row += chars[c * rows + r] ?? ''
    out.push(row)
  }
  return out
}

function parseMatrix(e: Element, le: boolean): MatValue {
  if (e.length === 0) return { kind: 'numeric', className: 'double', logical: false, complex: false, array: { dtype: '<f8', shape: [0, 0], data: new Float64Array(0), fortranOrder: true } }
  const inner = new Reader(e.view, le, e.start, e.start + e.length)
  const flags = numbers(inner.next(), le).map(Number)
  const classId = flags[0]! & 0xff
  const complex = (flags[0]! & 0x0800) !== 0
  const logical = (flags[0]! & 0x0200) !== 0
  const shape = numbers(inner.next(), le).map(Number)
  inner.next() // the name: only top-level names matter, read by the caller
  const numeric = CLASS[classId]
  if (numeric) {
    const real = typed(inner.next(), le, numeric.dtype)
    if (real.length !== product(shape)) {
      throw new MatFormatError(`a ${numeric.name} array of shape [${shape.join(', ')}] holds ${real.length} values`)
    }
    const array: NpyArray = { dtype: numeric.dtype, shape, data: real, fortranOrder: true }
    const imaginary = complex ? { ...array, data: typed(inner.next(), le, numeric.dtype) } : undefined
    return { kind: 'numeric', className: logical ? 'logical' : numeric.name, logical, complex, array, ...(imaginary ? { imaginary } : {}) }
  }
  switch (classId) {
    case 4:
      return { kind: 'char', shape, text: charRows(inner.done ? '' : text(inner.next(), le), shape) }
    case 1: {
      const cells: MatValue[] = []
      for (let i = 0; i < product(shape); i++) cells.push(parseElement(inner.next(), le).value)
      return { kind: 'cell', shape, cells }
    }
    case 2: {
      const nameLength = Number(numbers(inner.next(), le)[0])
      const namesElement = inner.next()
      const names = new Uint8Array(namesElement.view.buffer, namesElement.view.byteOffset + namesElement.start, namesElement.length)
      const fields: string[] = []
      for (let at = 0; at + nameLength <= names.length; at += nameLength) {
        const raw = names.subarray(at, at + nameLength)
        const zero = raw.indexOf(0)
        fields.push(new TextDecoder().decode(zero === -1 ? raw : raw.subarray(0, zero)))
      }
      const elements: Record<string, MatValue>[] = []
      for (let i = 0; i < product(shape); i++) {
        const element: Record<string, MatValue> = {}
        for (const field of fields) element[field] = parseElement(inner.next(), le).value
        elements.push(element)
      }
      return { kind: 'struct', shape, fields, elements }
    }
    default:
      return { kind: 'unsupported', className: CLASS_NAMES[classId] ?? `class ${classId}`, shape }
  }
}

function parseElement(e: Element, le: boolean): { name: string; value: MatValue } {
  if (e.type === MI.COMPRESSED) {
    let inflated: Uint8Array
    try {
      inflated = unzlibSync(new Uint8Array(e.view.buffer, e.view.byteOffset + e.start, e.length))
    } catch (err) {
      throw new MatFormatError(`a compressed element is corrupted (${(err as Error).message})`)
    }
    const view = new DataView(inflated.buffer, inflated.byteOffset, inflated.byteLength)
    return parseElement(new Reader(view, le, 0, inflated.length).next(), le)
  }
  if (e.type !== MI.MATRIX) throw new MatFormatError(`unexpected top-level data type ${e.type}`)
  let name = ''
  if (e.length > 0) {
    const peek = new Reader(e.view, le, e.start, e.start + e.length)
    peek.next()
    peek.next()
    name = text(peek.next(), le)
  }
  return { name, value: parseMatrix(e, le) }
}

export function isMat5(bytes: Uint8Array): boolean {
  if (bytes.length < 128) return false
  const marker = String.fromCharCode(bytes[126]!, bytes[127]!)
  return (marker === 'IM' || marker === 'MI') && new TextDecoder('latin1').decode(bytes.subarray(0, 6)) === 'MATLAB'
}

/** Every top-level variable of a Level 5 MAT-file, by name. */
export function decodeMat5(bytes: Uint8Array): Record<string, MatValue> {
  if (bytes.length >= 128 && new TextDecoder('latin1').decode(bytes.subarray(0, 19)) === 'MATLAB 7.3 MAT-file') {
    throw new MatFormatError('this is a MATLAB v7.3 file (HDF5); it is read by the HDF5 reader')
  }
  if (!isMat5(bytes)) throw new MatFormatError('not a MATLAB .mat file (no Level 5 header)')
  const le = String.fromCharCode(bytes[126]!, bytes[127]!) === 'IM'
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const reader = new Reader(view, le, 128, bytes.length)
  const variables: Record<string, MatValue> = {}
  while (!reader.done) {
    const { name, value } = parseElement(reader.next(), le)
    variables[name] = value
  }
  return variables
}
