// Loading what an evaluation compares, from any file the readers understand.
import { readFileSync } from 'node:fs'
import { AppError } from '../api/errors'
import { ValidationError } from '../core/data/errors'
import { toFeatureSet, type FeatureSet } from '../core/data/features'
import { toSimilarityMatrix, type SimilarityMatrix } from '../core/data/similarity'
import { toTripletSet, type TripletSet } from '../core/data/triplets'
import { marginal, uniformMarginal } from '../core/gw/marginals'
import type { NpyArray } from '../core/io/npy'
import { formatOf, isTableFormat, readArray, readTable, type TextList } from '../files/readers'
import { DEFAULT_KEYS } from '../api/arrayKeys'
import { objectIdsFor } from '../files/objectIds'
import { tableFeatures, tableMatrix } from '../files/tables'

/** Validation problems become messages naming the file. */
async function named<T>(path: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (err) {
    if (err instanceof ValidationError) throw new AppError('user', `${path}: ${err.message}`)
    throw err
  }
}

/** A file's numbers: a text table's numeric columns, or an array file's (chosen) array; the table's names beside. */
async function readNumbers(path: string, key: string | undefined, prefer?: readonly string[]): Promise<{ array: NpyArray; key: string; tableIds?: string[]; table: boolean; texts?: TextList[] }> {
  const table = isTableFormat(formatOf(path)) ? await readTable(path, key) : null
  if (!table) return { ...(await readArray(path, key, prefer)), table: false }
  const { array, ids } = isSquare(tableFeatures(table).array) ? tableMatrix(table) : tableFeatures(table)
  return { array, key: key ?? '', tableIds: ids, table: true }
}

/** A file's numbers as one array: a text table's numeric columns, or an array file's (chosen) array. */
export async function loadArray(path: string, key?: string): Promise<NpyArray> {
  return (await readNumbers(path, key)).array
}

/**
 * A representation in a file: features, or matrices — square, or condensed vectors under the key an RSA tool
 * writes (rsatoolbox's `dissimilarities`, Meadows' `rdmutv`) — and, where the file names its objects, their names: a
 * table's id column (or a square table's labels), names saved in the file, thingsvision's file_names.txt beside
 * features; kept only when they fit, one per object, each once. They line two files' objects up (RSA, CKA, GW).
 */
export async function loadRepresentation(path: string, key?: string): Promise<{ array: NpyArray; matrix: boolean; ids?: string[] }> {
  const read = await readNumbers(path, key, [...DEFAULT_KEYS.features, ...DEFAULT_KEYS.similarity])
  const { array } = read
  const matrix = isSquare(array) || (DEFAULT_KEYS.similarity as readonly string[]).includes(read.key)
  const n = matrix ? (isSquare(array) ? array.shape[array.shape.length - 1]! : toSimilarityMatrix(array, 'dissimilarity').n) : (array.shape[0] ?? 0)
  const { ids } = await objectIdsFor(path, read.table ? 0 : n, { tableIds: read.tableIds, beside: !matrix, texts: read.texts })
  return ids && ids.length === n && new Set(ids).size === n ? { array, matrix, ids } : { array, matrix }
}

export function loadFeatures(path: string, key?: string): Promise<FeatureSet> {
  return named(path, async () => toFeatureSet(await loadArray(path, key)))
}

/** An array checked as features, what is wrong said of the file. */
export function featuresFrom(path: string, array: NpyArray): Promise<FeatureSet> {
  return named(path, async () => toFeatureSet(array))
}

export function loadTriplets(path: string, objects: number, oneBased?: boolean): Promise<TripletSet> {
  return named(path, async () => {
    const array = await loadArray(path)
    if (array.shape.length !== 2 || array.shape[1]! < 3) throw new ValidationError(`triplets must have three columns; this is [${array.shape.join(' × ')}].`)
    const [rows, cols] = array.shape as [number, number]
    const values = Array.from(array.data as ArrayLike<number | bigint>, Number)
    const columns = [0, 1, 2].map((c) => Array.from({ length: rows }, (_, r) => values[r * cols + c]!))
    return toTripletSet(columns, { objects, oneBased })
  })
}

/** A square matrix file, or null when the array is not square (so it is features). */
export function loadMatrix(path: string, array: NpyArray, measure: 'similarity' | 'dissimilarity'): Promise<SimilarityMatrix> {
  return named(path, async () => toSimilarityMatrix(array, measure))
}

export function isSquare(array: NpyArray): boolean {
  const s = array.shape
  return s.length >= 2 && s[s.length - 1] === s[s.length - 2]
}

/** One label per line (blank lines skipped), one per object. */
export function readLabels(path: string, n: number, objects = 'objects'): string[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new AppError('user', `${path} could not be read (${err instanceof Error ? err.message : String(err)}).`)
  }
  const labels = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  if (labels.length !== n) throw new AppError('user', `${path} has ${labels.length} labels; the features have ${n} ${objects}.`)
  return labels
}


/** A marginal of n objects from a file of weights (a vector in any array or text format), or uniform without one. */
export async function loadMarginal(path: string | undefined, n: number): Promise<Float64Array> {
  if (path === undefined) return uniformMarginal(n)
  const array = await loadArray(path)
  if (array.shape.filter((d) => d !== 1).length > 1) throw new AppError('user', `${path}: the weights must be one vector (one number per object); this is [${array.shape.join(' × ')}].`)
  try {
    return marginal(Array.from(array.data as ArrayLike<number | bigint>, Number), n)
  } catch (err) {
    throw err instanceof RangeError ? new AppError('user', `${path}: ${err.message}`) : err
  }
}
