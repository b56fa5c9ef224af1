import type { NpyArray } from '../io/npy'
import { ValidationError } from './errors'

export type Measure = 'similarity' | 'dissimilarity'

/** One or several subjects' n×n matrices. */
export interface SimilarityMatrix {
  n: number
  subjects: number
  /** subjects × n × n, row-major. */
  data: Float64Array
  measure: Measure
}

/** Validates an n×n or subjects×n×n array: square, finite, symmetric (relative tolerance 1e-6). */
export function toSimilarityMatrix(array: NpyArray, measure: Measure): SimilarityMatrix {
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
  return { n, subjects, data, measure }
}
