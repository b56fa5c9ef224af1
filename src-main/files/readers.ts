// Opening the files researchers bring: detects the format, lists what a file holds, and reads one array or
// table out of it. Format errors become one message naming the file, the problem and what to do.
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { DEFAULT_KEYS, matchingKeys } from '../api/arrayKeys'
import type { FileSummary } from '../api/contract'
import { AppError } from '../api/errors'
import { parseDelimited, type Column, type Table } from '../core/io/delimited'
import { detectFormat, type FileFormat } from '../core/io/detect'
import { openHdf5 } from '../core/io/hdf5'
import { decodeMat5, type MatValue } from '../core/io/mat5'
import { allocate, npyDeclared, NpyFormatError, toCOrder, UnusableContent, type NpyArray } from '../core/io/npy'
import { decodeNpyStrings, type NpyStrings } from '../core/io/npyStrings'
import type { PickledMembers } from '../core/io/pickle'
import { decodePickleFile } from '../core/io/pickleFile'
import { decodeTorch } from '../core/io/torchSave'
import { folderCategories, listImageFiles } from './images'
import { captureStderr } from './stderrCapture'
import { ValidationError } from '../core/data/errors'
import { tableNames } from '../core/data/concepts'
import { npzMembers, readFileBytes, readNpyFile } from './npyFile'
import { readSheets } from './sheets'
import { jsonTables, type NamedTable } from '../core/io/jsonTables'
import { meadowsRdms, type MeadowsRdms } from '../core/io/meadowsJson'

/** An HDF5 file or MATLAB v7.3 MAT-file, opened with the library's error stack caught (a damaged file is named so). */
const openHdf5File = (path: string, format: string) => openHdf5(path, fileStart(path), { matlab: format === 'mat73', size: statSync(path).size, captureStderr })

export type { FileSummary }
type ItemSummary = FileSummary['items'][number]

export const READABLE = '.npy, .npz, .pt/.pth (torch.save), .pkl (pickle), .mat (v5–v7.3), .h5/.hdf5, .csv/.tsv/.txt, .xlsx, .json/.jsonl (tables, Meadows results)'

/** Formats read as tables of named columns rather than as arrays. */
export const isTableFormat = (format: FileFormat): boolean => format === 'delimited' || format === 'sheet' || format === 'json'

/** A workbook's sheets, or a JSON file's lists of records, each a table by its name; what they are, for messages. */
async function namedTables(path: string, format: 'sheet' | 'json', header?: boolean): Promise<{ tables: NamedTable[]; what: string }> {
  if (format === 'sheet') return { tables: await readSheets(path, header), what: 'sheet' }
  return { tables: jsonTables(readFileSync(path, 'utf8'), /\.(jsonl|ndjson)$/i.test(path), header), what: 'list of records' }
}

function fileStart(path: string): Uint8Array {
  const fd = openSync(path, 'r')
  try {
    const buffer = new Uint8Array(4096)
    const n = readSync(fd, buffer, 0, buffer.length, 0)
    return buffer.subarray(0, n)
  } finally {
    closeSync(fd)
  }
}

/** The last JSON file looked into for Meadows results (its size and time tell a changed file), parsed once. */
let lastJson: { path: string; stamp: string; rdms: MeadowsRdms | null; error: unknown } | null = null

/**
 * The RDMs of a JSON file that holds Meadows' results of multiple arrangements, or null for any other JSON (a table),
 * including one that is not valid JSON, which the table reader then describes.
 */
function meadowsFile(path: string): MeadowsRdms | null {
  const { size, mtimeMs } = statSync(path)
  const stamp = `${size}:${mtimeMs}`
  if (lastJson?.path !== path || lastJson.stamp !== stamp) {
    let value: unknown
    try {
      value = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''))
    } catch {
      value = null
    }
    let rdms: MeadowsRdms | null = null
    let error: unknown = null
    try {
      rdms = meadowsRdms(value)
    } catch (err) {
      error = err
    }
    lastJson = { path, stamp, rdms, error }
  }
  if (lastJson.error) throw formatProblem(path, lastJson.error)
  return lastJson.rdms
}

/** The file's format, or a clear refusal. */
export function formatOf(path: string): FileFormat {
  if (!existsSync(path)) throw new AppError('not_found', `${path} does not exist.`)
  if (statSync(path).isDirectory()) throw new AppError('user', `${path} is a folder; choose a file.`)
  if (statSync(path).size === 0) throw new AppError('user', `${path} is empty (0 bytes): it was not saved completely, or it is not the file you meant.`)
  const format = detectFormat(basename(path), fileStart(path))
  if (!format && /\.(xls|ods)$/i.test(path)) throw new AppError('user', `${path}: Excel 97–2003 (.xls) and OpenDocument (.ods) workbooks are not read; save the sheet as .xlsx or .csv.`)
  if (!format) throw new AppError('user', `${path}: unknown file type. HumanAlign reads ${READABLE}.`)
  // A whole JSON document (not JSON Lines) may be Meadows' results rather than records.
  if (format === 'json' && /\.json$/i.test(path) && meadowsFile(path)) return 'meadows'
  return format
}

/** A format error as one message that names the file and what to do; our own messages pass as they are. */
function formatProblem(path: string, err: unknown): AppError {
  if (err instanceof AppError) return err
  const message = err instanceof Error ? err.message : String(err)
  // The message already says how to save the contents readably.
  if (err instanceof UnusableContent) return new AppError('user', `${path}: ${message}.`)
  return new AppError('user', `${path}: ${message}. Check that the file is complete and was saved in a format HumanAlign reads (${READABLE}).`)
}

/** Runs a reader, turning any format error into a message that names the file. */
async function guarded<T>(path: string, read: () => T | Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (err) {
    throw formatProblem(path, err)
  }
}

const PREVIEW_ROWS = 5
const PREVIEW_COLUMNS = 8

function cell(v: number | bigint): string {
  return typeof v === 'bigint' ? v.toString() : Number.isInteger(v) ? String(v) : v.toPrecision(6)
}

/** The top-left corner of a 1-D or 2-D array (C order), as text. */
function arrayPreview(array: NpyArray): string[][] | undefined {
  if (array.shape.length === 0 || array.shape.length > 2) return undefined
  const [rows, cols = 1] = array.shape as [number, number?]
  const data = array.data as ArrayLike<number | bigint>
  return Array.from({ length: Math.min(rows, PREVIEW_ROWS) }, (_, r) =>
    Array.from({ length: Math.min(cols, PREVIEW_COLUMNS) }, (_, c) => cell(data[r * cols + c]!)),
  )
}

/** The strings of a MATLAB cell array of strings (a cellstr, as names are kept); null for any other value. */
function cellStrings(value: MatValue): string[] | null {
  if (value.kind !== 'cell' || !value.cells.every((c) => c.kind === 'char' && c.text.length <= 1)) return null
  return value.cells.map((c) => (c as Extract<MatValue, { kind: 'char' }>).text[0] ?? '')
}

function summarizeMat(key: string, value: MatValue): ItemSummary {
  switch (value.kind) {
    case 'numeric':
      return { key, kind: 'array', dtype: value.array.dtype, shape: value.array.shape as number[], matlabClass: value.className, preview: arrayPreview(toCOrder(value.array)) }
    case 'char':
      return { key, kind: 'text', shape: value.shape, text: value.text.join('\n').slice(0, 200) }
    case 'struct':
      return { key, kind: 'struct', shape: value.shape, fields: value.fields }
    case 'cell': {
      const strings = cellStrings(value)
      return strings ? { key, kind: 'text', shape: value.shape, text: strings.slice(0, TEXT_PREVIEW).join('\n') } : { key, kind: 'cell', shape: value.shape }
    }
    case 'unsupported':
      return { key, kind: 'unsupported', shape: value.shape, matlabClass: value.className }
  }
}

function summarizeArray(key: string, array: NpyArray): ItemSummary {
  return { key, kind: 'array', dtype: array.dtype, shape: [...array.shape], preview: arrayPreview(toCOrder(array)) }
}

/** A torch.save or pickle file's members: arrays, texts, and the objects not read, by path. */
function summarizePickled(members: PickledMembers): ItemSummary[] {
  return [
    ...Object.entries(members.arrays).map(([k, a]) => summarizeArray(k, a)),
    ...Object.entries(members.texts).map(([key, t]): ItemSummary => ({ key, kind: 'text', shape: t.shape, text: t.values.slice(0, TEXT_PREVIEW).join('\n') })),
    ...Object.entries(members.others).map(([key, what]): ItemSummary => ({ key, kind: 'unsupported', shape: null, pythonClass: what })),
  ]
}

/** A torch.save or pickle file's members. */
const pickledFile = (path: string, format: 'torch' | 'pickle'): PickledMembers => (format === 'torch' ? decodeTorch : decodePickleFile)(readFileBytes(path))

/** Strings of a text array shown when inspecting it. */
const TEXT_PREVIEW = 20

/** NumPy's fixed-width unicode dtype ('<U12'), or objects (which may be strings): names, file names. */
const isTextDtype = (descr: string): boolean => /^[<>|=]U\d+$/.test(descr) || descr === '|O'

/** A text array's strings; null for an array of objects that are not all strings. */
function stringsOrNull(bytes: Uint8Array): NpyStrings | null {
  try {
    return decodeNpyStrings(bytes)
  } catch (err) {
    if (err instanceof NpyFormatError) return null
    throw err
  }
}

/**
 * One .npy (a file, or an .npz member): its array; a NumPy text array ('<U…': names, file names) as its first
 * strings; a dtype this reader does not hold (complex, objects) named, so the rest of an .npz still shows.
 */
function summarizeNpy(key: string, read: () => NpyArray, bytes: () => Uint8Array): ItemSummary {
  try {
    return summarizeArray(key, read())
  } catch (err) {
    if (!(err instanceof NpyFormatError)) throw err
    const raw = bytes()
    const declared = npyDeclared(raw)
    if (declared.readable) throw err
    const strings = isTextDtype(declared.descr) ? stringsOrNull(raw) : null
    if (strings) return { key, kind: 'text', shape: strings.shape, text: strings.values.slice(0, TEXT_PREVIEW).join('\n') }
    return { key, kind: 'unsupported', shape: declared.shape, dtype: declared.descr }
  }
}

/** A list of strings in a file, by its key. */
export interface TextList {
  key: string
  shape: number[]
  values: string[]
}

/** A Meadows file's stimuli, named as in its MATLAB download. */
const meadowsStimuli = (rdms: MeadowsRdms): TextList => ({ key: 'stimuli', shape: [rdms.stimuli.length], values: rdms.stimuli })

/** Every list of strings a file holds beside its arrays; .npz members other than text are not read. */
async function textLists(path: string, format: FileFormat): Promise<TextList[]> {
  switch (format) {
    case 'mat5':
      return Object.entries(decodeMat5(new Uint8Array(readFileSync(path)))).flatMap(([key, value]) => {
        const values = cellStrings(value) ?? (value.kind === 'char' && value.shape.length === 2 ? value.text.map((t) => t.trim()) : null)
        return values ? [{ key, shape: value.kind === 'cell' ? value.shape : [values.length], values }] : []
      })
    case 'npz': {
      const members = npzMembers(path)
      try {
        return members.names.flatMap((key) => {
          try {
            const strings = isTextDtype(npyDeclared(members.head(key)).descr) ? stringsOrNull(members.bytes(key)) : null
            return strings ? [{ key, ...strings }] : []
          } catch {
            return []
          }
        })
      } finally {
        members.close()
      }
    }
    case 'torch':
    case 'pickle':
      return Object.entries(pickledFile(path, format).texts).map(([key, t]) => ({ key, ...t }))
    case 'meadows':
      return [meadowsStimuli(meadowsFile(path)!)]
    case 'hdf5':
    case 'mat73': {
      const file = await openHdf5File(path, format)
      try {
        return file.entries().flatMap((e) => (e.text ? [{ key: e.path, shape: e.shape ?? [], values: file.readStrings(e.path) }] : []))
      } finally {
        file.close()
      }
    }
    default:
      return []
  }
}

/** What tools call a list that names the objects, preferred when a file holds several lists of the right length. */
const NAME_LISTS = new Set(['names', 'ids', 'conds', 'stimuli', 'labels', 'filenames', 'file_names', 'images', 'objects', 'concepts', 'items'])

/**
 * The object names a file may hold beside its array — np.savez(…, features=X, names=…), a MATLAB cell array of
 * strings beside the matrix, Meadows' `stimuli`, rsatoolbox's `pattern_descriptors/conds`: its one list of `rows`
 * strings (or the one of those named as names are, or the first of several that agree), with its key; undefined
 * when it has none, or several that differ. `known`: the file's lists, when reading its array found them already.
 */
export async function objectNamesInFile(path: string, rows: number, known?: TextList[]): Promise<{ key: string; names: string[] } | undefined> {
  const format = formatOf(path)
  const lists = known ?? (await guarded(path, () => textLists(path, format)))
  const fitting = lists.filter((l) => l.values.length === rows && l.shape.filter((d) => d !== 1).length <= 1)
  // Several lists that say the same (Meadows' stimuli_NAME for each participant) are one.
  const same = fitting.length > 1 && fitting.every((l) => l.values.join('\n') === fitting[0]!.values.join('\n'))
  const named = fitting.length > 1 && !same ? fitting.filter((l) => NAME_LISTS.has(l.key.split(/[./]/).pop()!.toLowerCase())) : fitting
  return named.length === 1 || (same && named.length) ? { key: named[0]!.key, names: named[0]!.values } : undefined
}

/** rsatoolbox's descriptors that name its RDMs, in the order they are preferred. */
const RDM_NAME_DESCRIPTORS = ['name', 'names', 'subject', 'subj', 'participant', 'session', 'roi']

/**
 * The names rsatoolbox gives the `count` RDMs of a file (`rdm_descriptors/name`, else `subject`, …); undefined when
 * it gives none. `known`: the file's lists, when reading its array found them already.
 */
export async function matrixNamesInFile(path: string, count: number, known?: TextList[]): Promise<string[] | undefined> {
  const lists = known ?? (await guarded(path, () => textLists(path, formatOf(path))))
  const rank = (key: string) => RDM_NAME_DESCRIPTORS.indexOf(key.split(/[./]/).pop()!.toLowerCase())
  const named = lists.filter((l) => /(^|[./])rdm_descriptors[./]/.test(l.key) && l.values.length === count && rank(l.key) >= 0)
  return named.sort((a, b) => rank(a.key) - rank(b.key))[0]?.values
}

/**
 * Object ids: a line each of a text file (thingsvision's file_names.txt), the strings of a NumPy text array, or the
 * names column of a table with a header (OSF's items1854names.tsv: Word, WordNet synset, …, uniqueID), picked as
 * concepts pick theirs.
 */
export async function readIds(path: string): Promise<string[]> {
  const bytes = readFileBytes(path)
  if (detectFormat(basename(path), bytes.subarray(0, 6)) === 'npy') {
    let strings: NpyStrings
    try {
      strings = decodeNpyStrings(bytes)
    } catch (err) {
      throw formatProblem(path, err)
    }
    if (strings.shape.length !== 1) throw new AppError('user', `${path}: ids are a 1-D text array, one per object; this one is ${strings.shape.join(' × ')}.`)
    return strings.values
  }
  const lines = new TextDecoder()
    .decode(bytes)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
  // Tabs (or a .csv's commas) make a table; names in a list of lines may hold commas and spaces.
  if (!lines[0]?.includes('\t') && !(/\.csv$/i.test(path) && lines[0]?.includes(','))) return lines
  const table = await readTable(path)
  const named = table.header && table.columns.some((c) => c.kind === 'text') ? tableNames(table) : null
  if (!named) throw new AppError('user', `${path} is a table without a header naming a column of ids; give a file with one id per line, or a table with a column named uniqueID, name, word, concept, item or object.`)
  return named.names
}

function summarizeTable(key: string, table: Table): ItemSummary {
  const preview = Array.from({ length: Math.min(table.rows, PREVIEW_ROWS) }, (_, r) =>
    table.columns.slice(0, PREVIEW_COLUMNS).map((c) => (c.kind === 'text' ? c.texts![r]! : cell(c.numbers![r]!))),
  )
  return { key, kind: 'table', rows: table.rows, header: table.header, delimiter: table.delimiter, columns: table.columns.map((c) => ({ name: c.name, kind: c.kind })), preview }
}

export async function inspectFile(path: string, header?: boolean): Promise<FileSummary> {
  if (existsSync(path) && statSync(path).isDirectory()) {
    let files: string[]
    try {
      files = listImageFiles(path)
    } catch (err) {
      // "There are no … images in DIR or its subfolders", with how to convert bitmaps where it holds them.
      if (err instanceof ValidationError) throw new AppError('user', `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)} Choose a file, or a folder of images.`)
      throw err
    }
    const folders = folderCategories(files)?.categories.length
    return { path, format: 'image folder', bytes: 0, items: [{ key: '', kind: 'images', count: files.length, files: files.slice(0, 5), ...(folders ? { folders } : {}) }] }
  }
  const format = formatOf(path)
  const bytes = statSync(path).size
  const items = await guarded(path, async (): Promise<ItemSummary[]> => {
    switch (format) {
      case 'npy':
        return [summarizeNpy('', () => readNpyFile(path), () => readFileBytes(path))]
      case 'npz': {
        const members = npzMembers(path)
        try {
          return members.names.map((name) => summarizeNpy(name, () => members.read(name), () => members.bytes(name)))
        } finally {
          members.close()
        }
      }
      case 'torch':
      case 'pickle':
        return summarizePickled(pickledFile(path, format))
      case 'meadows': {
        const rdms = meadowsFile(path)!
        const stimuli = meadowsStimuli(rdms)
        return [...Object.entries(rdms.arrays).map(([k, a]) => summarizeArray(k, a)), { key: stimuli.key, kind: 'text', shape: stimuli.shape, text: stimuli.values.slice(0, TEXT_PREVIEW).join('\n') }]
      }
      case 'mat5':
        return Object.entries(decodeMat5(new Uint8Array(readFileSync(path)))).map(([k, v]) => summarizeMat(k, v))
      case 'mat73':
      case 'hdf5': {
        const file = await openHdf5File(path, format)
        try {
          return file.entries().map((e) =>
            e.kind === 'group'
              ? ({ key: e.path, kind: 'group', shape: null, ...(e.matlabClass ? { matlabClass: e.matlabClass } : {}) } as ItemSummary)
              : e.matlabClass === 'char'
                ? { key: e.path, kind: 'text', shape: e.shape ?? [], text: file.readText(e.path) }
                : e.text
                  ? { key: e.path, kind: 'text', shape: e.shape ?? [], text: file.readStrings(e.path).slice(0, TEXT_PREVIEW).join('\n') }
                : { key: e.path, kind: 'array', dtype: e.dtype ?? '?', shape: e.shape ?? [], ...(e.matlabClass ? { matlabClass: e.matlabClass } : {}) },
          )
        } finally {
          file.close()
        }
      }
      case 'delimited':
        return [summarizeTable('', await readDelimited(path, header))]
      case 'sheet':
      case 'json': {
        const { tables } = await namedTables(path, format, header)
        if (!tables.length) throw new AppError('user', format === 'sheet' ? `${path}: every sheet of this workbook is empty.` : `${path} holds no list of records (objects with the same keys) or rows to read as a table.`)
        return tables.map(({ name, table }) => summarizeTable(name, table))
      }
      case 'image':
        throw new AppError('user', `${path}: images are imported as an image set, not inspected as arrays.`)
    }
  })
  return { path, format, bytes, items }
}

function keysOf(summary: string[]): string {
  return summary.length ? summary.join(', ') : 'none'
}

/** Arrays of one shape and dtype stacked along a new first axis: 16 subjects' 92×92 RDMs become 16×92×92. */
function stackArrays(arrays: NpyArray[], what: string): NpyArray {
  if (arrays.length === 1) return arrays[0]!
  const [first] = arrays as [NpyArray]
  if (arrays.some((a) => a.shape.join() !== first.shape.join() || a.dtype !== first.dtype)) {
    throw new AppError('user', `${what} are arrays of different shapes or types; they cannot be stacked.`)
  }
  const size = first.data.length
  const out = allocate(first.dtype, size * arrays.length)
  arrays.forEach((a, i) => (out as unknown as { set(src: ArrayLike<unknown>, at: number): void }).set(a.data as ArrayLike<unknown>, i * size))
  return { dtype: first.dtype, shape: [arrays.length, ...first.shape], data: out }
}

/** A struct array's field across its elements, stacked. */
function stackField(key: string, value: Extract<MatValue, { kind: 'struct' }>, field: string): NpyArray {
  if (!value.fields.includes(field)) throw new AppError('user', `${key} has no field '${field}' (fields: ${value.fields.join(', ')}).`)
  const parts = value.elements.map((e) => e[field]!)
  if (parts.some((p) => p.kind !== 'numeric')) throw new AppError('user', `${key}.${field} is not numeric in every element.`)
  return stackArrays(parts.map((p) => toCOrder((p as Extract<MatValue, { kind: 'numeric' }>).array)), `${key}.${field} in different elements`)
}

/**
 * The names a struct array gives its elements in a `name` text field (rsatoolbox's and Kriegeskorte's RDM structs:
 * "mIT_674neurons", "simJudge | subject1"), as the names of the arrays its field stacks.
 */
function elementNames(value: Extract<MatValue, { kind: 'struct' }>): { stacked?: string[] } {
  const field = value.fields.find((f) => f.toLowerCase() === 'name')
  if (field === undefined) return {}
  const names = value.elements.map((e) => {
    const v = e[field]
    return v?.kind === 'char' && v.text.length === 1 ? v.text[0]!.trim() : ''
  })
  return names.every(Boolean) ? { stacked: names } : {}
}

/** The arrays of a file by name, read only when chosen. */
interface ArraySource {
  names: string[]
  /** "arrays", "variables", "datasets", "tensors": what the file holds, for messages. */
  what: string
  load(name: string): NpyArray
}

/**
 * What the key picks in a file that holds several arrays, or without a key the file's only array, else the first
 * of `prefer` it holds. A key with `*` picks every array it matches, stacked as a first axis (Meadows' one
 * `rdmutv_NAME` per participant).
 */
function chooseArray(path: string, source: ArraySource, key: string | undefined, prefer: readonly string[]): ReadArray {
  const { names, what } = source
  const chosen = key ?? (names.length === 1 ? names[0] : prefer.find((p) => matchingKeys(names, p).length))
  if (chosen === undefined) throw new AppError('user', `${path} holds several ${what} (${keysOf(names)}); choose one with its key.`)
  const found = matchingKeys(names, chosen)
  if (!found.length) throw new AppError('user', `${path} has no ${what.replace(/s$/, '')} ${chosen.includes('*') ? 'matching ' : ''}'${chosen}' (it has: ${keysOf(names)}).`)
  const arrays = found.map((name) => toCOrder(source.load(name)))
  if (!chosen.includes('*')) return { array: arrays[0]!, key: chosen }
  return { array: stackArrays(arrays, `the ${what} matching '${chosen}' (${found.join(', ')})`), key: chosen, stacked: found }
}

/**
 * An array read from a file, with the key that chose it, for a key with `*` the names stacked, and the file's lists
 * of strings where reading the array decoded them too (torch.save and pickle files), so names need no second read.
 */
export interface ReadArray {
  array: NpyArray
  key: string
  stacked?: string[]
  texts?: TextList[]
}

/**
 * One numeric array out of a file, in C order. `key` picks it in files that hold several (an .npz name, a
 * MATLAB variable, `struct.field` for a field across a struct array, an HDF5 path, `name_*` for several stacked);
 * without a key the file's only array, or the first of `prefer` (thingsvision's `features` by default), is taken.
 */
export async function readArray(path: string, key?: string, prefer: readonly string[] = DEFAULT_KEYS.features): Promise<ReadArray> {
  const format = formatOf(path)
  return guarded(path, async () => {
    switch (format) {
      case 'npy':
        return { array: toCOrder(readNpyFile(path)), key: '' }
      case 'npz': {
        const members = npzMembers(path)
        try {
          return chooseArray(path, { names: members.names, what: 'arrays', load: (name) => members.read(name) }, key, prefer)
        } finally {
          members.close()
        }
      }
      case 'torch':
      case 'pickle': {
        const { arrays, texts } = pickledFile(path, format)
        const chosen = chooseArray(path, { names: Object.keys(arrays), what: format === 'torch' ? 'tensors' : 'arrays', load: (name) => arrays[name]! }, key, prefer)
        return { ...chosen, texts: Object.entries(texts).map(([k, t]) => ({ key: k, ...t })) }
      }
      case 'meadows': {
        const rdms = meadowsFile(path)!
        const chosen = chooseArray(path, { names: Object.keys(rdms.arrays), what: 'arrays', load: (name) => rdms.arrays[name]! }, key, prefer)
        return { ...chosen, texts: [meadowsStimuli(rdms)] }
      }
      case 'mat5': {
        const variables = decodeMat5(new Uint8Array(readFileSync(path)))
        const [variable, field] = key === undefined ? [undefined, undefined] : (key.split('.', 2) as [string, string | undefined])
        const value = variable === undefined ? undefined : variables[variable]
        if (value?.kind === 'struct') {
          if (!field) throw new AppError('user', `${path}: ${variable} is a struct array with fields ${value.fields.join(', ')}; choose one as ${variable}.FIELD.`)
          return { array: stackField(variable!, value, field), key: `${variable}.${field}`, ...elementNames(value) }
        }
        const load = (name: string) => {
          const chosen = variables[name]!
          if (chosen.kind === 'struct') throw new AppError('user', `${path}: ${name} is a struct array with fields ${chosen.fields.join(', ')}; choose one as ${name}.FIELD.`)
          if (chosen.kind !== 'numeric') throw new AppError('user', `${path}: ${name} is a MATLAB ${chosen.kind === 'unsupported' ? chosen.className : chosen.kind} array, not numbers.`)
          return chosen.array
        }
        return chooseArray(path, { names: Object.keys(variables), what: 'variables', load }, key, prefer)
      }
      case 'mat73':
      case 'hdf5': {
        const file = await openHdf5File(path, format)
        try {
          const names = file.entries().filter((e) => e.kind === 'dataset' && e.matlabClass !== 'char' && !e.text).map((e) => e.path)
          return chooseArray(path, { names, what: 'datasets', load: (name) => file.read(name) }, key, prefer)
        } finally {
          file.close()
        }
      }
      case 'delimited':
      case 'sheet':
      case 'json':
      case 'image':
        throw new AppError('user', `${path} is ${format === 'image' ? 'an image' : format === 'sheet' ? 'a spreadsheet' : format === 'json' ? 'JSON, read as a table' : 'a text table'}, not an array file.`)
    }
  })
}

/** A struct array's scalar fields as columns, one row per element: text for char fields, numbers for 1×1 numerics. */
function structColumns(key: string, value: Extract<MatValue, { kind: 'struct' }>): Column[] {
  const columns: Column[] = []
  for (const field of value.fields) {
    const cells = value.elements.map((e) => e[field]!)
    if (cells.every((c) => c.kind === 'char')) {
      columns.push({ name: field, kind: 'text', texts: cells.map((c) => (c as Extract<MatValue, { kind: 'char' }>).text.join(' ')) })
    } else if (cells.every((c) => c.kind === 'numeric' && c.array.data.length === 1)) {
      columns.push({ name: field, kind: 'number', numbers: Float64Array.from(cells, (c) => Number((c as Extract<MatValue, { kind: 'numeric' }>).array.data[0])) })
    }
  }
  if (!columns.length) throw new AppError('user', `${key} has no text or single-number fields to read as a table (fields: ${value.fields.join(', ')}).`)
  return columns
}

/**
 * Rows of named columns: a text table, or a MATLAB struct array (`key` names it) whose elements are the rows —
 * the 92-image set describes its stimuli that way.
 */
export async function readRecords(path: string, key?: string): Promise<Pick<Table, 'rows' | 'columns'>> {
  if (formatOf(path) !== 'mat5') return readTable(path, key)
  return guarded(path, () => {
    const variables = decodeMat5(new Uint8Array(readFileSync(path)))
    const structs = Object.entries(variables).filter(([, v]) => v.kind === 'struct')
    const name = key ?? (structs.length === 1 ? structs[0]![0] : undefined)
    if (name === undefined) throw new AppError('user', `${path} holds ${structs.length ? `several struct arrays (${structs.map(([k]) => k).join(', ')})` : 'no struct array'}; choose the one that lists the objects with its key.`)
    const value = variables[name]
    if (!value || value.kind !== 'struct') throw new AppError('user', `${path}: ${name} is not a struct array with one element per object.`)
    return { rows: value.elements.length, columns: structColumns(name, value) }
  })
}

/** A text table, read in megabyte chunks; its size lets a large numeric table's columns be allocated once. */
function readDelimited(path: string, header?: boolean): Promise<Table> {
  return parseDelimited(createReadStream(path, { highWaterMark: 1 << 20 }), { header, size: statSync(path).size })
}

/**
 * A text table, a sheet of a workbook or a list of records in a JSON file: `sheet` names it, else the file's only one
 * that holds anything. `header`: whether the first row names the columns; unset, it is detected.
 */
export async function readTable(path: string, sheet?: string, header?: boolean): Promise<Table> {
  const format = formatOf(path)
  if (!isTableFormat(format)) throw new AppError('user', `${path} is not a table (.csv, .tsv, .txt, .xlsx, .json).`)
  if (format === 'delimited') return guarded(path, () => readDelimited(path, header))
  return guarded(path, async () => {
    const { tables, what } = await namedTables(path, format as 'sheet' | 'json', header)
    const names = tables.map((s) => `"${s.name}"`).join(', ') || 'none with data'
    const found = sheet === undefined ? (tables.length === 1 ? tables[0] : undefined) : tables.find((s) => s.name === sheet)
    if (found) return found.table
    if (!tables.length && format === 'json') throw new AppError('user', `${path} holds no list of records (objects with the same keys) or rows to read as a table.`)
    const plural = what === 'sheet' ? 'sheets' : 'lists of records'
    throw new AppError('user', sheet === undefined ? `${path} holds several ${plural} (${names}); choose one with its key (--key NAME).` : `${path} has no ${what} "${sheet}" with data (${plural}: ${names}).`)
  })
}
