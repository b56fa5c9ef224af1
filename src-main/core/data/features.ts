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
  checkIds(objectIds, n, 'feature rows')
  return { n, p, data, ids: objectIds }
}

/** Object ids that fit: one per row (`rows` names them: "feature rows"), each unique. */
export function checkIds(ids: string[], n: number, rows: string): void {
  if (ids.length !== n) {
    throw new ValidationError(`there are ${n} ${rows} but ${ids.length} object ids. The id list must have one line per row.`)
  }
  const seen = new Map<string, number>()
  ids.forEach((id, i) => {
    const first = seen.get(id)
    if (first !== undefined) throw new ValidationError(`object id "${id}" appears twice (rows ${first} and ${i}). Object ids must be unique.`)
    seen.set(id, i)
  })
}
