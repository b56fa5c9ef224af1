// RSA of one RDM against each of several subjects' RDMs. A noise ceiling bounds this statistic, not the correlation
// with the subjects' mean RDM: Nili et al. (2014) define it as the expected average correlation of the true model
// with the single-subject RDMs, and show it as the mean over subjects with its standard error.
import { reorderMatrix } from '../data/objectNames'
import { averageRanks, CORRELATIONS, pearson, type CorrelationMethod } from './correlation'
import { upperTriangle } from './rdm'
import { signedRankGreater, type SignedRank } from './signedRank'

export interface PerMatrixRsa {
  /** The correlation with each matrix; null where it is undefined (a constant matrix). */
  r: (number | null)[]
  /** Over the defined ones. */
  mean: number | null
  /** Standard error of that mean (sample SD / √k); null with fewer than two. */
  sem: number | null
  /** Wilcoxon's signed-rank test that the correlations lie above zero, one-sided (Nili et al. 2014). */
  signedRank: SignedRank | null
}

/** `model`: n × n; `matrices`: count × n × n, each an RDM (or all oriented alike). */
export function perMatrixRsa(model: ArrayLike<number>, matrices: Float64Array, count: number, n: number, method: CorrelationMethod): PerMatrixRsa {
  // Spearman's r is Pearson's of the ranks: the model's ranked once, not once per matrix.
  const ranked = method === 'spearman'
  const correlate = ranked ? (a: Float64Array, b: Float64Array) => pearson(a, averageRanks(b)) : CORRELATIONS[method]
  const x = ranked ? averageRanks(upperTriangle(model, n)) : upperTriangle(model, n)
  const r = Array.from({ length: count }, (_, s) => {
    const value = correlate(x, upperTriangle(matrices.subarray(s * n * n, (s + 1) * n * n), n))
    return Number.isFinite(value) ? value : null
  })
  const defined = r.filter((v): v is number => v !== null)
  if (!defined.length) return { r, mean: null, sem: null, signedRank: null }
  const k = defined.length
  const mean = defined.reduce((a, b) => a + b, 0) / k
  const sem = k < 2 ? null : Math.sqrt(defined.reduce((a, v) => a + (v - mean) ** 2, 0) / (k - 1) / k)
  return { r, mean, sem, signedRank: signedRankGreater(defined) }
}

/** One side of an RSA: its RDM (several matrices averaged), and those matrices (as dissimilarities) where several. */
export interface RsaSide {
  rdm: Float64Array
  matrices?: { data: Float64Array; count: number; names: string[] }
  /** The order its objects were put in to line up with the other side's (its RDM already is); null: as it is. */
  order: number[] | null
}

/** RSA against each matrix of the side that holds several (B's, when both do), in the order the RSA compares. */
export function perMatrixOfSides(a: RsaSide, b: RsaSide, n: number, method: CorrelationMethod): { perMatrix?: PerMatrixRsa & { side: 'a' | 'b'; names: string[] } } {
  const [side, own, other] = b.matrices ? (['b', b, a] as const) : a.matrices ? (['a', a, b] as const) : [null, null, null]
  if (!side) return {}
  const { data, count, names } = own.matrices!
  const matrices = own.order ? reorderMatrix(data, n, own.order) : data
  return { perMatrix: { side, names, ...perMatrixRsa(other.rdm, matrices, count, n, method) } }
}
