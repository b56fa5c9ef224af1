import { ValidationError } from './errors'

/** N triplets (i, j, k) of object indices; k, column 2, is the odd-one-out the person chose. */
export interface TripletSet {
  count: number
  /** N×3 row-major, 0-based. */
  indices: Int32Array
  /** How many objects the indices refer to. */
  objects: number
  /** The file was 1-based and has been converted. */
  converted: boolean
}

export interface TripletOptions {
  /** Size of the object list the indices refer to; when absent, the largest index + 1. */
  objects?: number
  /** true: the file is 1-based, convert. false: it is 0-based. undefined: refuse a file that looks 1-based. */
  oneBased?: boolean
}

/** Validates the first three columns of a table or array as triplets. */
export function toTripletSet(columns: ArrayLike<number>[], options: TripletOptions = {}): TripletSet {
  if (columns.length < 3) throw new ValidationError(`triplets need three columns (object, object, odd-one-out); this has ${columns.length}.`)
  const count = columns[0]!.length
  if (count === 0) throw new ValidationError('there are no triplets in this file.')
  let min = Infinity
  let max = -Infinity
  for (let c = 0; c < 3; c++) {
    const column = columns[c]!
    for (let t = 0; t < count; t++) {
      const v = column[t]!
      if (!Number.isInteger(v)) {
        throw new ValidationError(`triplet ${t} (line ${t + 1} of the data), column ${c}: ${v} is not a whole number. Triplets are object indices.`)
      }
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  const objects = options.objects
  // With the object list known, index n can only be 1-based; without it, a file that never uses 0 probably is.
  const looksOneBased = objects !== undefined ? min >= 1 && max === objects : min === 1
  const shift = options.oneBased ? 1 : 0
  if (options.oneBased === undefined && looksOneBased) {
    throw new ValidationError(
      `the indices look 1-based (smallest ${min}, largest ${max}${objects === undefined ? '' : ` for ${objects} objects`}). ` +
        'If they count from 1, import with the one-based option (--one-based) to convert them; if they count from 0, say so with --zero-based.',
    )
  }
  const n = objects ?? max - shift + 1
  if (min - shift < 0 || max - shift >= n) {
    // The first triplet out of range, to name it.
    for (let t = 0; t < count; t++) {
      for (let c = 0; c < 3; c++) {
        const v = columns[c]![t]!
        if (v - shift < 0 || v - shift >= n) {
          throw new ValidationError(
            `triplet ${t} refers to object ${v}${shift ? ' (1-based)' : ''}, but the object list has ${n} objects (${shift}…${n - 1 + shift}). ` +
              'Check that the triplets belong to this object list.',
          )
        }
      }
    }
  }
  const indices = new Int32Array(count * 3)
  const [first, second, odd] = [columns[0]!, columns[1]!, columns[2]!]
  for (let t = 0; t < count; t++) {
    const i = first[t]! - shift
    const j = second[t]! - shift
    const k = odd[t]! - shift
    indices[3 * t] = i
    indices[3 * t + 1] = j
    indices[3 * t + 2] = k
    if (i === j || i === k || j === k) {
      throw new ValidationError(`triplet ${t} names object ${i === j || i === k ? i : j} twice (${i}, ${j}, ${k}); a triplet has three different objects.`)
    }
  }
  return { count, indices, objects: n, converted: shift === 1 }
}
