// The three pair similarities of each triplet from features: all pairs on the compute backend (dot products or
// cosines; −‖a − b‖ for Euclidean, from the dot products), then the triplets' pairs gathered.
import { pairwiseSimilarity } from '../compute/kernels/similarity'
import { tripletGather } from '../compute/kernels/tripletGather'
import type { SimilarityKind } from './oddOneOut'

export async function tripletSimilarities(x: Float32Array, n: number, p: number, triplets: Int32Array, similarity: SimilarityKind): Promise<Float32Array> {
  let s = await pairwiseSimilarity(x, n, p, similarity === 'cosine' ? 'cosine' : 'dot')
  if (similarity === 'euclidean') {
    // −‖a − b‖ from the dot products: ‖a‖² + ‖b‖² − 2 a·b.
    const dots = s
    s = new Float32Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) s[i * n + j] = -Math.sqrt(Math.max(0, dots[i * n + i]! + dots[j * n + j]! - 2 * dots[i * n + j]!))
    }
  }
  return tripletGather(s, n, { indices: triplets, count: triplets.length / 3 })
}
