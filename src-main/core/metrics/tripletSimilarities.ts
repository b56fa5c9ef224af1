// The three pair similarities of each triplet from features: all pairs on the compute backend (dot products or
// cosines; −‖a − b‖ for Euclidean, from the dot products), then the triplets' pairs gathered.
import { pairwiseSimilarity } from '../compute/kernels/similarity'
import { tripletGather } from '../compute/kernels/tripletGather'
import type { SimilarityKind } from './oddOneOut'

export async function tripletSimilarities(x: Float32Array, n: number, p: number, triplets: Int32Array, similarity: SimilarityKind): Promise<Float32Array> {
  let s = await pairwiseSimilarity(x, n, p, similarity === 'cosine' ? 'cosine' : 'dot')
  if (similarity === 'euclidean') {
    // −‖a − b‖ from the dot products: ‖a‖² + ‖b‖² − 2 a·b.
    const norms = Float32Array.from({ length: n }, (_, i) => s[i * n + i]!)
    s = Float32Array.from(s, (v, k) => -Math.sqrt(Math.max(0, norms[Math.floor(k / n)]! + norms[k % n]! - 2 * v)))
  }
  return tripletGather(s, n, { indices: triplets, count: triplets.length / 3 })
}
