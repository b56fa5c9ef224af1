import type { NpyArray } from '../io/npy'
import { ValidationError } from './errors'

/** n objects × p features, float32, with one id per object. */
export interface FeatureSet {
  n: number
  p: number
  data: Float32Array
  ids: string[]
}

function describeShape(shape: readonly number[]): string {
  return `[${shape.join(' × ')}]`
}

/** Validates a numeric array as a feature matrix: 2-D (a 1-D array is one feature), finite, ids that fit. */
export function toFeatureSet(array: NpyArray, ids?: string[]): FeatureSet {
  const shape = array.shape.length === 1 ? [array.shape[0]!, 1] : [...array.shape]
  if (shape.length !== 2) {
    throw new ValidationError(`features must be a 2-D array (objects × features), but this one has shape ${describeShape(array.shape)}. Choose a 2-D array, or flatten it first.`)
  }
  const [n, p] = shape as [number, number]
  if (n === 0 || p === 0) throw new ValidationError(`the feature array is empty (shape ${describeShape(array.shape)}).`)
  if (array.dtype === '<i8' || array.dtype === '<u8') {
    throw new ValidationError(`features are 64-bit integers (${array.dtype}); save them as floating point numbers.`)
  }
  // float32 input is used as it is (never modified); other types are converted.
  const data = array.data instanceof Float32Array ? array.data : Float32Array.from(array.data as ArrayLike<number>)
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      const what = Number.isNaN(data[i]!) ? 'NaN' : 'an infinite value'
      throw new ValidationError(`features hold ${what} at object ${Math.floor(i / p)}, feature ${i % p} (0-based). Remove or impute missing values before importing.`)
    }
  }
  const objectIds = ids ?? Array.from({ length: n }, (_, i) => String(i))
  checkIds(objectIds, n, 'feature rows', ' To average the rows of each object (repeated measurements, as rsatoolbox keeps runs), import with "Average repeated rows" (--average-repeats).')
  return { n, p, data, ids: objectIds }
}

/**
 * Features whose rows repeat objects (runs or trials of each condition) averaged to one row per object, in the order
 * each first appears, the means summed in float64; `repeats` says how many rows each object had.
 */
export function averageRepeatedRows(array: NpyArray, ids: string[]): { array: NpyArray; ids: string[]; repeats: number[] } {
  const n = array.shape[0] ?? 0
  const p = array.shape.length === 1 ? 1 : (array.shape[1] ?? 0)
  if (array.shape.length > 2) throw new ValidationError(`features must be a 2-D array (objects × features), but this one has shape ${describeShape(array.shape)}.`)
  if (ids.length !== n) throw new ValidationError(`there are ${n} feature rows but ${ids.length} object ids. The id list must have one line per row.`)
  const objects = new Map<string, number>()
  const row = ids.map((id) => objects.get(id) ?? objects.set(id, objects.size).get(id)!)
  const sums = new Float64Array(objects.size * p)
  const repeats = new Array<number>(objects.size).fill(0)
  const values = array.data as ArrayLike<number>
  for (let i = 0; i < n; i++) {
    const at = row[i]! * p
    repeats[row[i]!]!++
    for (let d = 0; d < p; d++) sums[at + d]! += Number(values[i * p + d])
  }
  const data = new Float32Array(sums.length)
  for (let k = 0; k < sums.length; k++) data[k] = sums[k]! / repeats[Math.floor(k / p)]!
  return { array: { dtype: '<f4', shape: [objects.size, p], data }, ids: [...objects.keys()], repeats }
}

/** Object ids that fit: one per row (`rows` names them: "feature rows"), each unique; `advice` follows a repeat. */
export function checkIds(ids: string[], n: number, rows: string, advice = ''): void {
  if (ids.length !== n) {
    throw new ValidationError(`there are ${n} ${rows} but ${ids.length} object ids. The id list must have one line per row.`)
  }
  const seen = new Map<string, number>()
  ids.forEach((id, i) => {
    const first = seen.get(id)
    if (first !== undefined) throw new ValidationError(`object id "${id}" appears twice (rows ${first} and ${i}). Object ids must be unique.${advice}`)
    seen.set(id, i)
  })
}
