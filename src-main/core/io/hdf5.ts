// HDF5 files (.h5/.hdf5, thingsvision's `features`) and MATLAB v7.3 MAT-files (HDF5 underneath), read with
// h5wasm. MATLAB writes column-major data with the dimensions reversed; such arrays come back in MATLAB's shape.
import { toCOrder, type NpyArray, type NpyData, type NpyDtype } from './npy'

export class Hdf5FormatError extends Error {
  override name = 'Hdf5FormatError'
}

export interface Hdf5Entry {
  path: string
  kind: 'dataset' | 'group'
  shape: number[] | null
  dtype: string | null
  /** MATLAB v7.3 files: the variable's class (double, single, char, struct, cell, …). */
  matlabClass: string | null
  /** A dataset of strings (h5py's text arrays: names, rsatoolbox's pattern descriptors). */
  text: boolean
}

export interface Hdf5File {
  /** True for a MATLAB v7.3 MAT-file. */
  matlab: boolean
  entries(): Hdf5Entry[]
  /** A numeric dataset by its path (`features`, `group/name`), in C order with its (MATLAB) shape. */
  read(path: string): NpyArray
  /** A MATLAB char array as text. */
  readText(path: string): string
  /** A dataset of strings, in C order. */
  readStrings(path: string): string[]
  close(): void
}

// h5wasm reports dtypes as Python struct codes.
const DTYPES: Record<string, NpyDtype> = { b: '|i1', B: '|u1', h: '<i2', H: '<u2', i: '<i4', I: '<u4', q: '<i8', Q: '<u8', f: '<f4', d: '<f8' }

interface H5Node {
  type: string
  shape?: number[]
  dtype?: unknown
  value?: unknown
  attrs?: Record<string, { value: unknown }>
  /** HDF5's type class: 3 for strings. */
  metadata?: { type?: number }
  keys?: () => string[]
}
interface H5File extends H5Node {
  file_id: bigint | number
  get(path: string): H5Node | null
  close(): void
}
interface H5Module {
  ready: Promise<unknown>
  File: new (path: string, mode: string) => H5File
}

/** The reason of the innermost frame of an HDF5 error stack ("… in H5G__cache_node_deserialize(): bad … signature"). */
function deepestReason(stack: string): string {
  const reasons = [...stack.matchAll(/#\d+: .* in [\w.]+\(\): (.+)/g)].map((m) => m[1]!.trim())
  return reasons[reasons.length - 1] ?? 'no reason given'
}

/** Runs a synchronous call with what it writes to stderr caught (files/stderrCapture.ts). */
export type StderrCapture = <T>(work: () => T) => { value: T; written: string }

/**
 * A call into the HDF5 library, its stderr caught where the caller can: where a file is damaged the library prints an
 * error stack (HDF5-DIAG) and answers as if nothing were there — an empty list of datasets, say — so a caught stack
 * is made the error, named by its innermost reason.
 */
function checked<T>(capture: StderrCapture | undefined, what: string, work: () => T): T {
  if (!capture) return work()
  const { value, written } = capture(work)
  if (written.includes('HDF5-DIAG')) throw new Hdf5FormatError(`damaged HDF5 file: the HDF5 library cannot ${what} (${deepestReason(written)}); save it again from the program that wrote it`)
  return value
}

let module: Promise<H5Module> | null = null
function h5wasm(): Promise<H5Module> {
  // h5wasm is an ES module; its Node build reads files from the real file system.
  module ??= (import('h5wasm/node') as Promise<{ default: H5Module }>).then(async (m) => {
    await m.default.ready
    return m.default
  })
  return module
}

function matlabClass(node: H5Node): string | null {
  const value = node.attrs?.MATLAB_class?.value
  return typeof value === 'string' ? value : null
}

export function isMat73(header: Uint8Array): boolean {
  return new TextDecoder('latin1').decode(header.subarray(0, 19)) === 'MATLAB 7.3 MAT-file'
}

/** HDF5's type class of strings. */
const H5T_STRING = 3

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

/** Where HDF5's signature sits: byte 0, 512, 1024, 2048, … (after a user block such as MATLAB's 512-byte header). */
function signatureAt(header: Uint8Array): number {
  for (let at = 0; at + SIGNATURE.length <= header.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => header[at + i] === b)) return at
  }
  return -1
}

export const isHdf5 = (header: Uint8Array): boolean => signatureAt(header) >= 0

/**
 * The length the superblock says the file has (its end-of-file address, which the library compares with the file's
 * size, user block included), or null where the header does not say it plainly: so that a truncated file is named
 * as such before the library sees it.
 */
function declaredLength(header: Uint8Array, at: number): number | null {
  const version = header[at + 8]
  // Versions 0 and 1 put the addresses after the B-tree parameters; 2 and 3 right after the sizes and flags.
  const offsets = version === 0 || version === 1 ? header[at + 13] : version === 2 || version === 3 ? header[at + 9] : undefined
  const start = version === 0 ? at + 24 : version === 1 ? at + 28 : at + 12
  if (offsets !== 8 && offsets !== 4) return null
  const address = (k: number): number | null => {
    let value = 0
    let undefinedAddress = true
    for (let b = offsets - 1; b >= 0; b--) {
      const byte = header[start + k * offsets + b]
      if (byte === undefined) return null
      undefinedAddress &&= byte === 0xff
      value = value * 256 + byte
    }
    return undefinedAddress || !Number.isSafeInteger(value) ? null : value
  }
  // Base address, free-space (or superblock extension) address, end-of-file address.
  return address(2)
}

/**
 * Opens an HDF5 file; `header` is its first bytes (4 KiB is plenty) and `size` its length, checked before the
 * library sees it (which prints its own diagnostics of a damaged file).
 */
export async function openHdf5(path: string, header: Uint8Array, options: { matlab: boolean; size: number; captureStderr?: StderrCapture }): Promise<Hdf5File> {
  const at = signatureAt(header)
  if (at < 0) throw new Hdf5FormatError('not a readable HDF5 file (no HDF5 signature)')
  const length = declaredLength(header, at)
  if (length !== null && options.size < length) throw new Hdf5FormatError(`truncated HDF5 file: it has ${options.size} bytes, but its header says ${length}`)
  const { File } = await h5wasm()
  let file: H5File
  try {
    file = checked(options.captureStderr, 'open it', () => new File(path, 'r'))
  } catch (err) {
    if (err instanceof Hdf5FormatError) throw err
    throw new Hdf5FormatError(`not a readable HDF5 file (${(err as Error).message})`)
  }
  // h5wasm hands back a file whose id is negative when the library could not open it.
  if (!file.keys || Number(file.file_id) < 0) throw new Hdf5FormatError('not a readable HDF5 file: the HDF5 library cannot open it, so it is damaged or not HDF5')

  const node = (path: string): H5Node => {
    const found = checked(options.captureStderr, `find '${path}'`, () => file.get(path))
    if (!found) {
      const names = listAll().filter((e) => e.kind === 'dataset').map((e) => e.path)
      throw new Hdf5FormatError(`there is no dataset '${path}' (datasets: ${names.join(', ') || 'none'})`)
    }
    return found
  }

  function listAll(): Hdf5Entry[] {
    const out: Hdf5Entry[] = []
    const walk = (prefix: string, group: H5Node): void => {
      for (const name of group.keys?.() ?? []) {
        // MATLAB keeps cell and struct-array contents in #refs#, reached through references.
        if (options.matlab && name === '#refs#') continue
        const path = prefix ? `${prefix}/${name}` : name
        const child = file.get(path)
        if (!child) continue
        if (child.type === 'Group') {
          out.push({ path, kind: 'group', shape: null, dtype: null, matlabClass: matlabClass(child), text: false })
          walk(path, child)
        } else {
          const shape = options.matlab ? [...(child.shape ?? [])].reverse() : (child.shape ?? [])
          const code = String(child.dtype)
          const dtype = code.startsWith('>') ? code : (DTYPES[code.replace(/^[<=|]/, '')] ?? code)
          out.push({ path, kind: 'dataset', shape, dtype, matlabClass: matlabClass(child), text: child.metadata?.type === H5T_STRING })
        }
      }
    }
    checked(options.captureStderr, 'list its contents', () => walk('', file))
    return out
  }

  return {
    matlab: options.matlab,
    entries: listAll,
    read(path) {
      const dataset = node(path)
      if (dataset.type !== 'Dataset') throw new Hdf5FormatError(`'${path}' is a group, not an array`)
      const code = String(dataset.dtype)
      const dtype = DTYPES[code.replace(/^[<>=|]/, '')]
      if (!dtype || code.startsWith('>')) {
        throw new Hdf5FormatError(`'${path}' holds ${code} values; only little-endian numeric arrays can be read`)
      }
      if (options.matlab && matlabClass(dataset) === 'cell') {
        throw new Hdf5FormatError(`'${path}' is a MATLAB cell array (references); save it as a numeric array or with -v7`)
      }
      const data = checked(options.captureStderr, `read '${path}'`, () => dataset.value as NpyData)
      const stored = dataset.shape ?? []
      // MATLAB's column-major array, stored with reversed dimensions: MATLAB's shape, in C order.
      if (options.matlab) return toCOrder({ dtype, shape: [...stored].reverse(), data, fortranOrder: true })
      return { dtype, shape: stored, data, fortranOrder: false }
    },
    readText(path) {
      const dataset = node(path)
      return String.fromCharCode(...Array.from(checked(options.captureStderr, `read '${path}'`, () => dataset.value) as ArrayLike<number>))
    },
    readStrings(path) {
      const dataset = node(path)
      if (dataset.metadata?.type !== H5T_STRING) throw new Hdf5FormatError(`'${path}' does not hold text`)
      const value = checked(options.captureStderr, `read '${path}'`, () => dataset.value)
      return typeof value === 'string' ? [value] : Array.from(value as ArrayLike<unknown>, String)
    },
    close: () => file.close(),
  }
}
