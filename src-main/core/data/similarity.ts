import type { NpyArray } from '../io/npy'
import { ValidationError } from './errors'
import { checkIds } from './features'

export type Measure = 'similarity' | 'dissimilarity'

/** One or several subjects' n×n matrices. */
export interface SimilarityMatrix {
  n: number
  subjects: number
  /** subjects × n × n, row-major. */
  data: Float64Array
  measure: Measure
  /** What the objects are called (names in the file, a labelled table's rows), when known. */
  ids: string[] | null
}

/** n for a condensed vector of m = n(n−1)/2 pairs, or null. */
function condensedSize(m: number): number | null {
  const n = Math.round((1 + Math.sqrt(1 + 8 * m)) / 2)
  return n > 1 && (n * (n - 1)) / 2 === m ? n : null
}

/**
 * Condensed form (scipy's squareform, MATLAB's pdist: the upper triangle row by row) to square matrices with a
 * zero diagonal; one vector, one row per subject, or a single 1×m row.
 */
function fromCondensed(array: NpyArray): NpyArray | null {
  // Singleton dimensions aside (MATLAB rows, stacked 1×m rows), one vector or one per subject.
  const shape = array.shape.filter((d) => d !== 1)
  const [subjects, m] = shape.length === 1 ? [1, shape[0]!] : shape.length === 2 ? [shape[0]!, shape[1]!] : [0, 0]
  const n = condensedSize(m)
  if (!n || (shape.length === 2 && subjects === m)) return null
  const source = Array.from(array.data as ArrayLike<number>, Number)
  const out = new Float64Array(subjects * n * n)
  for (let s = 0; s < subjects; s++) {
    let k = s * m
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        out[s * n * n + i * n + j] = out[s * n * n + j * n + i] = source[k++]!
      }
    }
  }
  return { dtype: '<f8', shape: subjects === 1 ? [n, n] : [subjects, n, n], data: out }
}

/**
 * Validates an n×n or subjects×n×n array (or condensed vectors of pairs): square, finite, symmetric (relative
 * tolerance 1e-6).
 */
export function toSimilarityMatrix(input: NpyArray, measure: Measure): SimilarityMatrix {
  const isSquare = input.shape.length >= 2 && input.shape[input.shape.length - 1] === input.shape[input.shape.length - 2]
  const array = (isSquare ? null : fromCondensed(input)) ?? input
  const shape = array.shape
  if (shape.length !== 2 && shape.length !== 3) {
    throw new ValidationError(`a similarity matrix is n×n, or subjects×n×n for several subjects; this array has shape [${shape.join(' × ')}].`)
  }
  const [subjects, rows, cols] = (shape.length === 2 ? [1, shape[0]!, shape[1]!] : shape) as [number, number, number]
  if (rows !== cols) throw new ValidationError(`the matrix is not square (${rows} × ${cols}). A similarity matrix has one row and one column per object.`)
  const n = rows
  const data = Float64Array.from(array.data as ArrayLike<number>)
  for (let s = 0; s < subjects; s++) {
    const base = s * n * n
    let scale = 0
    for (let i = 0; i < n * n; i++) if (Number.isFinite(data[base + i]!)) scale = Math.max(scale, Math.abs(data[base + i]!))
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = data[base + i * n + j]!
        const where = `${subjects > 1 ? `subject ${s}, ` : ''}row ${i}, column ${j}`
        if (!Number.isFinite(v)) throw new ValidationError(`the matrix holds ${Number.isNaN(v) ? 'NaN' : 'an infinite value'} at ${where}. Fill in missing entries before importing.`)
        if (j > i && Math.abs(v - data[base + j * n + i]!) > 1e-6 * Math.max(scale, 1e-12)) {
          throw new ValidationError(`the matrix is not symmetric: ${where} is ${v} but row ${j}, column ${i} is ${data[base + j * n + i]}. Use a symmetric matrix (e.g. (M + Mᵀ)/2).`)
        }
      }
    }
  }
  return { n, subjects, data, measure, ids: null }
}

/** The matrix with its objects' ids, checked: one per row, unique. */
export function withIds(matrix: SimilarityMatrix, ids: string[]): SimilarityMatrix {
  checkIds(ids, matrix.n, 'matrix rows')
  return { ...matrix, ids }
}
