// NumPy .npy encoding (format versions 1.0–3.0, little-endian numeric dtypes). Pure: bytes in, bytes out.
// Reference: numpy/lib/format.py — magic "\x93NUMPY", version, header length, a Python dict literal padded
// with spaces and a newline so that the data starts on a 64-byte boundary.

export const NPY_DTYPES = {
  '<f4': Float32Array,
  '<f8': Float64Array,
  '|i1': Int8Array,
  '|u1': Uint8Array,
  '<i2': Int16Array,
  '<u2': Uint16Array,
  '<i4': Int32Array,
  '<u4': Uint32Array,
  '<i8': BigInt64Array,
  '<u8': BigUint64Array,
} as const

export type NpyDtype = keyof typeof NPY_DTYPES
export type NpyData =
  | Float32Array<ArrayBufferLike>
  | Float64Array<ArrayBufferLike>
  | Int8Array<ArrayBufferLike>
  | Uint8Array<ArrayBufferLike>
  | Int16Array<ArrayBufferLike>
  | Uint16Array<ArrayBufferLike>
  | Int32Array<ArrayBufferLike>
  | Uint32Array<ArrayBufferLike>
  | BigInt64Array<ArrayBufferLike>
  | BigUint64Array<ArrayBufferLike>

/** A new zeroed array of a dtype. */
export function allocate(dtype: NpyDtype, length: number): NpyData {
  return new (NPY_DTYPES[dtype] as unknown as new (n: number) => NpyData)(length)
}

/** A typed array of a dtype over existing bytes (no copy). */
export function viewAs(dtype: NpyDtype, buffer: ArrayBufferLike, offset: number, length: number): NpyData {
  return new (NPY_DTYPES[dtype] as unknown as new (b: ArrayBufferLike, o: number, n: number) => NpyData)(buffer, offset, length)
}

export interface NpyArray {
  dtype: NpyDtype
  shape: readonly number[]
  /** Elements in C (row-major) order unless `fortranOrder` is set. */
  data: NpyData
  fortranOrder?: boolean
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY
const ALIGN = 64

export class NpyFormatError extends Error {
  override name = 'NpyFormatError'
}

/** A file read correctly whose contents are not usable, its message saying how to save them instead. */
export class UnusableContent extends NpyFormatError {
  override name = 'UnusableContent'
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

function shapeLiteral(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`
  return `(${shape.join(', ')})`
}

function dtypeOf(data: NpyData): NpyDtype {
  for (const [dtype, ctor] of Object.entries(NPY_DTYPES)) if (data instanceof ctor) return dtype as NpyDtype
  throw new NpyFormatError('unsupported typed array')
}

export function encodeNpy(array: NpyArray): Uint8Array {
  const { shape, data } = array
  if (dtypeOf(data) !== array.dtype) throw new NpyFormatError(`data is not ${array.dtype}`)
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyFormatError(`invalid shape ${shapeLiteral(shape)}`)
  if (elementCount(shape) !== data.length) {
    throw new NpyFormatError(`shape ${shapeLiteral(shape)} holds ${elementCount(shape)} elements, data has ${data.length}`)
  }
  return npyBytes(array.dtype, shape, array.fortranOrder ?? false, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
}

/** A format 1.0 .npy file: the header for `descr` and `shape`, padded to 64 bytes, then `payload`. */
export function npyBytes(descr: string, shape: readonly number[], fortranOrder: boolean, payload: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeLiteral(shape)}, }`
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1
  header += ' '.repeat((ALIGN - (unpadded % ALIGN)) % ALIGN) + '\n'
  if (header.length > 0xffff) throw new NpyFormatError('header too long for format 1.0')
  const offset = MAGIC.length + 4 + header.length
  const out = new Uint8Array(offset + payload.byteLength)
  out.set(MAGIC, 0)
  out[6] = 1
  out[7] = 0
  new DataView(out.buffer).setUint16(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i)
  out.set(payload, offset)
  return out
}

export interface Descr {
  /** What we hold the data as. */
  dtype: NpyDtype
  /** What the file stores, when it differs: byte order swapped, booleans, half floats. */
  stored: 'native' | 'big-endian' | 'bool' | 'float16' | 'float16-big-endian'
  itemBytes: number
}

function parseDescr(descr: string): Descr {
  if (descr === '|b1') return { dtype: '|u1', stored: 'bool', itemBytes: 1 }
  if (descr === '<f2' || descr === '>f2') {
    return { dtype: '<f4', stored: descr === '<f2' ? 'float16' : 'float16-big-endian', itemBytes: 2 }
  }
  const byteOrder = descr[0]
  const rest = descr.slice(1)
  const single = rest === 'i1' || rest === 'u1'
  const dtype = (single ? `|${rest}` : `<${rest}`) as NpyDtype
  if (!Object.hasOwn(NPY_DTYPES, dtype) || !['<', '>', '|', '='].includes(byteOrder ?? '')) {
    throw new NpyFormatError(`unsupported dtype '${descr}' (supported: little- and big-endian ${Object.keys(NPY_DTYPES).join(', ')}, |b1, <f2)`)
  }
  const itemBytes = NPY_DTYPES[dtype].BYTES_PER_ELEMENT
  return { dtype, stored: byteOrder === '>' && !single ? 'big-endian' : 'native', itemBytes }
}

/** A header's fields as written: the dtype's text, the order and the shape. */
function headerFields(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1]
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1]
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(`unreadable .npy header: ${text.trim()}`)
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number)
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyFormatError(`invalid shape (${shapeText})`)
  return { descr, fortranOrder: fortran === 'True', shape }
}

function parseHeader(text: string): { descr: Descr; fortranOrder: boolean; shape: number[] } {
  const fields = headerFields(text)
  return { ...fields, descr: parseDescr(fields.descr) }
}

/** The dtype and shape a .npy declares, and whether this reader holds that dtype (to name one it does not). */
export function npyDeclared(bytes: Uint8Array): { descr: string; shape: number[]; readable: boolean } {
  const { descr, shape } = headerFields(npyHeaderText(bytes).header)
  let readable = true
  try {
    parseDescr(descr)
  } catch {
    readable = false
  }
  return { descr, shape, readable }
}

/** IEEE 754 half to single precision. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const fraction = h & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 31) return fraction ? NaN : sign * Infinity
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

function convert(raw: Uint8Array, descr: Descr, count: number): NpyData {
  const ctor = NPY_DTYPES[descr.dtype]
  if (descr.stored === 'bool') return Uint8Array.from(raw, (b) => (b ? 1 : 0))
  if (descr.stored === 'float16' || descr.stored === 'float16-big-endian') {
    const halves = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    const little = descr.stored === 'float16'
    const out = new Float32Array(count)
    for (let i = 0; i < count; i++) out[i] = halfToFloat(halves.getUint16(2 * i, little))
    return out
  }
  const copy = raw.slice()
  if (descr.stored === 'big-endian') {
    const w = descr.itemBytes
    for (let i = 0; i < copy.length; i += w) copy.subarray(i, i + w).reverse()
  }
  return new ctor(copy.buffer, 0, count)
}

/** What a .npy header says, and where the data starts. */
export interface NpyLayout {
  dtype: NpyDtype
  shape: number[]
  fortranOrder: boolean
  dataOffset: number
  /** Bytes of data the header promises. */
  dataBytes: number
  descr: Descr
}

/** Reads the header from the first bytes of a file (the header is short: 4 KiB holds any real one). */
export function parseNpyLayout(bytes: Uint8Array): NpyLayout {
  const { header, dataOffset } = npyHeaderText(bytes)
  const { descr, fortranOrder, shape } = parseHeader(header)
  return { dtype: descr.dtype, shape, fortranOrder, dataOffset, dataBytes: elementCount(shape) * descr.itemBytes, descr }
}

/** The header's text and where the data starts, for any descr (text arrays read it too). */
export function npyHeaderText(bytes: Uint8Array): { header: string; dataOffset: number } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyFormatError('not a .npy file (bad magic)')
  const major = bytes[6]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let headerLength: number
  let start: number
  if (major === 1) {
    headerLength = view.getUint16(8, true)
    start = 10
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError('truncated .npy header')
    headerLength = view.getUint32(8, true)
    start = 12
  } else {
    throw new NpyFormatError(`unsupported .npy format version ${major}`)
  }
  if (start + headerLength > bytes.length) throw new NpyFormatError('truncated .npy header')
  return { header: new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength)), dataOffset: start + headerLength }
}

/** The data bytes, as the layout's dtype (byte order, booleans and half floats converted). */
export function npyData(raw: Uint8Array, layout: NpyLayout): NpyData {
  return convert(raw, layout.descr, elementCount(layout.shape))
}

/** The strings of a fixed-width text array's bytes, each cut at its first NUL. */
export function fixedWidthStrings(raw: Uint8Array, unicode: boolean, width: number, little: boolean): string[] {
  const size = unicode ? 4 * width : width
  if (!(width > 0)) return []
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  const utf8 = new TextDecoder()
  return Array.from({ length: Math.floor(raw.byteLength / size) }, (_, i) => {
    if (!unicode) {
      const item = raw.subarray(i * size, (i + 1) * size)
      const end = item.indexOf(0)
      return utf8.decode(end < 0 ? item : item.subarray(0, end))
    }
    let text = ''
    for (let c = 0; c < width; c++) {
      const point = view.getUint32(i * size + 4 * c, little)
      if (point === 0) break
      text += String.fromCodePoint(point)
    }
    return text
  })
}

/**
 * An array from its dtype's text ('<f4', '>i8', '|b1'), shape, order and raw bytes, as a .npy holds them. With
 * `view`, bytes already in the array's own layout and aligned to its items become the array without a copy.
 */
export function arrayFromBytes(descr: string, shape: number[], fortranOrder: boolean, raw: Uint8Array, view = false): NpyArray {
  const parsed = parseDescr(descr)
  const count = elementCount(shape)
  if (raw.length < count * parsed.itemBytes) throw new NpyFormatError(`truncated array data: expected ${count * parsed.itemBytes} bytes, found ${raw.length}`)
  const viewable = view && parsed.stored === 'native' && raw.byteOffset % parsed.itemBytes === 0
  const data = viewable ? viewAs(parsed.dtype, raw.buffer, raw.byteOffset, count) : convert(raw.subarray(0, count * parsed.itemBytes), parsed, count)
  return { dtype: parsed.dtype, shape, data, fortranOrder }
}

export function decodeNpy(bytes: Uint8Array): NpyArray {
  const layout = parseNpyLayout(bytes)
  const available = bytes.length - layout.dataOffset
  if (available < layout.dataBytes) {
    throw new NpyFormatError(`truncated .npy data: expected ${layout.dataBytes} bytes, found ${available}`)
  }
  const raw = bytes.subarray(layout.dataOffset, layout.dataOffset + layout.dataBytes)
  return { dtype: layout.dtype, shape: layout.shape, data: npyData(raw, layout), fortranOrder: layout.fortranOrder }
}

/** The same array with its elements in C (row-major) order. */
export function toCOrder(array: NpyArray): NpyArray {
  if (!array.fortranOrder || array.shape.length < 2) return { ...array, fortranOrder: false }
  const shape = array.shape
  const n = shape.length
  const count = elementCount(shape)
  const out = allocate(array.dtype, count)
  // Strides of the Fortran layout, walked in C order with an odometer over the indices.
  const fStride = new Array<number>(n)
  fStride[0] = 1
  for (let d = 1; d < n; d++) fStride[d] = fStride[d - 1]! * shape[d - 1]!
  const index = new Array<number>(n).fill(0)
  let source = 0
  const src = array.data as unknown as ArrayLike<number | bigint>
  const dst = out as unknown as { [i: number]: number | bigint }
  for (let i = 0; i < count; i++) {
    dst[i] = src[source]!
    for (let d = n - 1; d >= 0; d--) {
      index[d]!++
      source += fStride[d]!
      if (index[d]! < shape[d]!) break
      source -= fStride[d]! * shape[d]!
      index[d] = 0
    }
  }
  return { dtype: array.dtype, shape, data: out, fortranOrder: false }
}
