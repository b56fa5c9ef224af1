// Two-dimensional maps of a representation for display: PCA of features, classical MDS, t-SNE and UMAP, of a
// feature matrix or of a dissimilarity matrix. Every method is deterministic for a given seed.
import * as tf from '@tensorflow/tfjs'
import { UMAP } from 'umap-js'
import { randomGenerator } from '../data/simulate'
import { classicalMds, principalCoordinates, type SymmetricOperator } from '../gw/procrustes'
import { scaledStart, tsne } from './tsne'

export type MapMethod = 'pca' | 'mds' | 'tsne' | 'umap'

export type MapInput = { kind: 'features'; data: Float32Array; n: number; p: number } | { kind: 'dissimilarity'; data: Float64Array; n: number }

export interface MapOptions {
  perplexity?: number
  iterations?: number
  neighbours?: number
  minDistance?: number
  seed?: number
  /** Fraction done, 0–1; may await so a job can yield for a cancel. */
  progress?: (fraction: number) => Promise<void> | void
}

export interface RepresentationMap {
  /** n × 2, row-major. */
  coordinates: Float64Array
  /** PCA and MDS: the share of the total variance on each axis. */
  explained?: [number, number]
  /** t-SNE: the final KL divergence. */
  kl?: number
}

/** The methods' object limit: each needs the n × n distances in memory. */
export const MAP_MAX_OBJECTS = 20_000

/** Euclidean distances between the rows of an n × p matrix (squared when asked), from the Gram matrix. */
export async function euclideanDistances(x: Float32Array, n: number, p: number, squared: boolean): Promise<Float64Array> {
  const gram = tf.tidy(() => {
    // Explicit transposes throughout: tfjs-wasm's transposed matMul is about 18× slower.
    const t = tf.tensor2d(x, [n, p])
    return tf.matMul(t, tf.transpose(t))
  })
  const g = await gram.data()
  gram.dispose()
  const d = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.max(0, g[i * n + i]! + g[j * n + j]! - 2 * g[i * n + j]!)
      d[i * n + j] = d[j * n + i] = squared ? v : Math.sqrt(v)
    }
  }
  return d
}

/**
 * PCA scores on the first two components and the variance each explains: subspace iteration with Xcᵀ(Xc v) on the
 * backend, never forming the p × p covariance (1854 × 1280: 3 GFLOP saved); scores = Xc v.
 */
export async function pca(x: Float32Array, n: number, p: number): Promise<RepresentationMap> {
  const centred = new Float32Array(n * p)
  let total = 0
  for (let c = 0; c < p; c++) {
    let mean = 0
    for (let i = 0; i < n; i++) mean += x[i * p + c]! / n
    for (let i = 0; i < n; i++) {
      const v = x[i * p + c]! - mean
      centred[i * p + c] = v
      total += v * v
    }
  }
  // Explicit transposes: tfjs-wasm's transposed matMul is about 18× slower.
  const xc = tf.tensor2d(centred, [n, p])
  const xt = tf.transpose(xc)
  const covariance: SymmetricOperator = {
    async times(v, k) {
      const out = tf.tidy(() => tf.matMul(xt, tf.matMul(xc, tf.tensor2d(Float32Array.from(v), [p, k]))))
      const values = Float64Array.from(await out.data())
      out.dispose()
      return values
    },
    dispose: () => tf.dispose([xc, xt]),
  }
  try {
    const { coordinates: loadings, values } = await principalCoordinates(covariance, p, 2)
    // Loadings are √λ·v; the scores are Xc v = Xc (√λ v) / √λ.
    const roots = [Math.sqrt(Math.max(values[0]!, 0)) || 1, Math.sqrt(Math.max(values[1]!, 0)) || 1]
    const unit = Float32Array.from(loadings, (v, k) => v / roots[k % 2]!)
    const scores = tf.tidy(() => tf.matMul(xc, tf.tensor2d(unit, [p, 2])))
    const coordinates = Float64Array.from(await scores.data())
    scores.dispose()
    return { coordinates, explained: [values[0]! / (total || 1), values[1]! / (total || 1)] }
  } finally {
    covariance.dispose()
  }
}

/** The k nearest neighbours of each object (itself first, at distance 0), exactly, from a distance matrix. */
export function nearestNeighbours(d: Float64Array, n: number, k: number): { indices: number[][]; distances: number[][] } {
  const indices: number[][] = []
  const distances: number[][] = []
  const order = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) order[j] = j
    const row = (j: number) => (j === i ? -1 : d[i * n + j]!)
    const nearest = order.sort((a, b) => row(a) - row(b) || a - b).slice(0, k)
    indices.push(nearest)
    distances.push(nearest.map((j) => (j === i ? 0 : d[i * n + j]!)))
  }
  return { indices, distances }
}

async function umap(d: Float64Array, n: number, options: MapOptions): Promise<RepresentationMap> {
  const neighbours = Math.min(options.neighbours ?? 15, n - 1)
  const model = new UMAP({ nComponents: 2, nNeighbors: neighbours, minDist: options.minDistance ?? 0.1, random: randomGenerator(options.seed ?? 0) })
  const knn = nearestNeighbours(d, n, neighbours)
  model.setPrecomputedKNN(knn.indices, knn.distances)
  // The data are only indices: the neighbours above stand for the distances.
  const epochs = model.initializeFit(Array.from({ length: n }, (_, i) => [i]))
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.step()
    if (epoch % 20 === 0) await options.progress?.(epoch / epochs)
  }
  return { coordinates: Float64Array.from(model.getEmbedding().flat()) }
}

/** A 2-D map of the representation by the method. */
export async function representationMap(input: MapInput, method: MapMethod, options: MapOptions = {}): Promise<RepresentationMap> {
  const { n } = input
  if (n < 3) throw new RangeError('a map needs at least 3 objects')
  if (n > MAP_MAX_OBJECTS) throw new RangeError(`a map of ${n} objects needs more memory than this allows (at most ${MAP_MAX_OBJECTS} objects)`)
  if (method === 'pca' && input.kind === 'features') return pca(input.data, n, input.p)
  const distances = input.kind === 'features' ? await euclideanDistances(input.data, n, input.p, false) : input.data
  if (method === 'pca' || method === 'mds') {
    const coordinates = await classicalMds(distances, n, 2)
    return { coordinates }
  }
  if (method === 'umap') return umap(distances, n, options)
  const start = input.kind === 'features' ? (await pca(input.data, n, input.p)).coordinates : await classicalMds(distances, n, 2)
  const squared = input.kind === 'features' ? distances.map((v) => v * v) : distances
  const iterations = options.iterations ?? 1000
  const result = await tsne(squared, n, scaledStart(start, n), {
    perplexity: Math.min(options.perplexity ?? 30, Math.floor((n - 1) / 3)),
    iterations,
    onIteration: async (iteration) => {
      await options.progress?.(iteration / iterations)
    },
  })
  return { coordinates: result.coordinates, kl: result.kl }
}
