// k-means for AligNet's superordinate clusters (DESIGN §4): greedy k-means++ initialisation (as scikit-learn:
// 2 + ⌊ln k⌋ candidates per centre, the one that lowers the potential most), Lloyd iterations until no
// assignment changes, several restarts keeping the lowest inertia, and an elbow sweep over k. Distances come
// from ‖x‖² − 2 x·c + ‖c‖² with the products on the compute backend, in row blocks.
import * as tf from '@tensorflow/tfjs-core'
import { randomGenerator } from '../data/simulate'

export interface KMeansOptions {
  k: number
  /** Independent initialisations; the run with the lowest inertia is kept. */
  restarts: number
  maxIterations: number
  seed: number
  /**
   * Mini-batch k-means (Sculley 2010) for large sets: each iteration assigns this many random points and moves
   * their centres toward them with per-centre rates 1/count; null for full Lloyd iterations.
   */
  miniBatch?: number | null
}

export interface KMeansResult {
  k: number
  /** k × p, row-major. */
  centroids: Float32Array
  labels: Int32Array
  /** Sum of squared distances of the points to their centroids. */
  inertia: number
  iterations: number
  /** Whether the last iteration changed no assignment. */
  converged: boolean
}

export interface KMeansHooks {
  /** After each Lloyd iteration of each restart, with how many points changed cluster; may throw to stop. */
  iteration?(restart: number, iteration: number, changed: number): void | Promise<void>
}

/** Rows per block of the points on the backend (tfjs-wasm's slice would copy all of them out each time). */
const BLOCK_ROWS = 16_384

/** The points as consecutive row blocks on the backend, made once per clustering. */
function rowBlocks(x: Float32Array, n: number, p: number): tf.Tensor2D[] {
  const blocks: tf.Tensor2D[] = []
  for (let r0 = 0; r0 < n; r0 += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, n - r0)
    blocks.push(tf.tensor2d(x.subarray(r0 * p, (r0 + rows) * p), [rows, p]))
  }
  return blocks
}

function squaredNorms(x: Float32Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let d = 0; d < p; d++) s += x[i * p + d]! * x[i * p + d]!
    out[i] = s
  }
  return out
}

/** For each row of the blocks, the squared distance to each of the m centres c (rows × m, row-major), clipped at 0. */
async function distances(blocks: tf.Tensor2D[], xNorms: Float64Array, c: Float32Array, m: number, p: number): Promise<Float32Array> {
  const cNorms = squaredNorms(c, m, p)
  const centresT = tf.tidy(() => tf.transpose(tf.tensor2d(c, [m, p])))
  const out = new Float32Array(xNorms.length * m)
  try {
    let r0 = 0
    for (const x of blocks) {
      const rows = x.shape[0]
      const block = tf.matMul(x, centresT)
      const dots = (await block.data()) as Float32Array
      block.dispose()
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < m; j++) out[(r0 + i) * m + j] = Math.max(0, xNorms[r0 + i]! - 2 * dots[i * m + j]! + cNorms[j]!)
      }
      r0 += rows
    }
  } finally {
    centresT.dispose()
  }
  return out
}

/** Greedy k-means++: each new centre is the best (lowest potential) of 2 + ⌊ln k⌋ candidates drawn by D². */
async function kmeansPlusPlus(x: Float32Array, xs: tf.Tensor2D[], xNorms: Float64Array, n: number, p: number, k: number, random: () => number): Promise<Float32Array> {
  const centroids = new Float32Array(k * p)
  const first = Math.floor(random() * n)
  centroids.set(x.subarray(first * p, (first + 1) * p), 0)
  let closest = await distances(xs, xNorms, centroids.subarray(0, p), 1, p)
  const trials = 2 + Math.floor(Math.log(k))
  const cumulative = new Float64Array(n)
  for (let c = 1; c < k; c++) {
    let sum = 0
    for (let i = 0; i < n; i++) cumulative[i] = sum += closest[i]!
    const candidates = Int32Array.from({ length: trials }, () => {
      // D² sampling (a uniform draw when every point coincides with a centre).
      if (sum <= 0) return Math.floor(random() * n)
      const target = random() * sum
      let lo = 0
      let hi = n - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (cumulative[mid]! < target) lo = mid + 1
        else hi = mid
      }
      return lo
    })
    const points = new Float32Array(trials * p)
    candidates.forEach((i, t) => points.set(x.subarray(i * p, (i + 1) * p), t * p))
    const d = await distances(xs, xNorms, points, trials, p)
    let best = -1
    let bestPotential = Infinity
    let bestClosest: Float32Array | null = null
    for (let t = 0; t < trials; t++) {
      const next = new Float32Array(n)
      let total = 0
      for (let i = 0; i < n; i++) total += next[i] = Math.min(closest[i]!, d[i * trials + t]!)
      if (total < bestPotential) [best, bestPotential, bestClosest] = [t, total, next]
    }
    centroids.set(points.subarray(best * p, (best + 1) * p), c * p)
    closest = bestClosest!
  }
  return centroids
}

/** Euclidean distance between row i of x and row c of centroids. */
function distance(x: Float32Array, i: number, centroids: Float32Array, c: number, p: number): number {
  let s = 0
  for (let d = 0; d < p; d++) {
    const v = x[i * p + d]! - centroids[c * p + d]!
    s += v * v
  }
  return Math.sqrt(s)
}

/**
 * One k-means run from given centroids: Lloyd iterations until no label changes (or the limit), with Hamerly's
 * bounds (an upper bound on each point's distance to its centre, a lower bound on the second-closest), so that
 * only the points whose bounds overlap are compared with every centre — the same assignments as plain Lloyd,
 * with far fewer distances once the centres settle.
 */
async function lloyd(x: Float32Array, xs: tf.Tensor2D[], xNorms: Float64Array, n: number, p: number, k: number, start: Float32Array, options: KMeansOptions, restart: number, hooks: KMeansHooks): Promise<KMeansResult> {
  const centroids = Float32Array.from(start)
  const labels = new Int32Array(n).fill(-1)
  const upper = new Float64Array(n)
  const lower = new Float64Array(n)
  // Each cluster's coordinate sums and size, updated only for the points that change cluster.
  const sums = new Float64Array(k * p)
  const counts = new Int32Array(k)
  const move = (i: number, from: number, to: number) => {
    if (from >= 0) {
      counts[from]!--
      for (let d = 0, at = from * p, row = i * p; d < p; d++) sums[at + d]! -= x[row + d]!
    }
    counts[to]!++
    for (let d = 0, at = to * p, row = i * p; d < p; d++) sums[at + d]! += x[row + d]!
  }
  let iterations = 0
  let converged = false
  let candidates: Int32Array | null = null
  while (iterations < options.maxIterations) {
    // The points that must be compared with every centre: all at first, then those whose bounds overlap.
    const rows = candidates ?? Int32Array.from({ length: n }, (_, i) => i)
    let changed = 0
    if (rows.length) {
      const { blocks, norms } = rows.length < n ? pickRows(x, xNorms, rows, p) : { blocks: xs, norms: xNorms }
      const d = await distances(blocks, norms, centroids, k, p)
      if (blocks !== xs) tf.dispose(blocks)
      rows.forEach((i, r) => {
        let first = 0
        let second = -1
        for (let c = 1; c < k; c++) {
          if (d[r * k + c]! < d[r * k + first]!) [second, first] = [first, c]
          else if (second < 0 || d[r * k + c]! < d[r * k + second]!) second = c
        }
        if (labels[i] !== first) {
          changed++
          move(i, labels[i]!, first)
        }
        labels[i] = first
        upper[i] = Math.sqrt(d[r * k + first]!)
        lower[i] = second < 0 ? Infinity : Math.sqrt(d[r * k + second]!)
      })
    }
    iterations++
    await hooks.iteration?.(restart, iterations, changed)
    if (changed === 0) {
      converged = true
      break
    }
    // New centroids: the means of their points; an emptied cluster takes the point farthest from its centre.
    const previous = Float32Array.from(centroids)
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        let far = 0
        for (let i = 1; i < n; i++) if (upper[i]! > upper[far]!) far = i
        upper[far] = -1
        centroids.set(x.subarray(far * p, (far + 1) * p), c * p)
        continue
      }
      for (let dim = 0; dim < p; dim++) centroids[c * p + dim] = sums[c * p + dim]! / counts[c]!
    }
    // Bounds follow the centres' moves; half the distance to the nearest other centre decides who is safe.
    const moved = Float64Array.from({ length: k }, (_, c) => distance(centroids, c, previous, c, p))
    let most = 0
    for (let c = 1; c < k; c++) if (moved[c]! > moved[most]!) most = c
    const secondMost = Math.max(0, ...Array.from(moved).filter((_, c) => c !== most))
    const half = Float64Array.from({ length: k }, (_, a) => {
      let m = Infinity
      for (let b = 0; b < k; b++) if (b !== a) m = Math.min(m, distance(centroids, a, centroids, b, p))
      return m / 2
    })
    const next: number[] = []
    for (let i = 0; i < n; i++) {
      const a = labels[i]!
      upper[i]! += moved[a]!
      lower[i]! -= a === most ? secondMost : moved[most]!
      const bound = Math.max(half[a]!, lower[i]!)
      if (upper[i]! <= bound) continue
      upper[i] = distance(x, i, centroids, a, p)
      if (upper[i]! > bound) next.push(i)
    }
    candidates = Int32Array.from(next)
  }
  // The inertia from exact distances to the final centres.
  const d = await distances(xs, xNorms, centroids, k, p)
  let inertia = 0
  for (let i = 0; i < n; i++) inertia += d[i * k + labels[i]!]!
  return { k, centroids, labels, inertia, iterations, converged }
}

/** Lloyd iterations from given centroids (k × p), for a caller that chose them. */
export async function kmeansFrom(x: Float32Array, n: number, p: number, centroids: Float32Array, maxIterations: number): Promise<KMeansResult> {
  const k = centroids.length / p
  const xs = rowBlocks(x, n, p)
  try {
    return await lloyd(x, xs, squaredNorms(x, n, p), n, p, k, centroids, { k, restarts: 1, maxIterations, seed: 0 }, 0, {})
  } finally {
    tf.dispose(xs)
  }
}

/** The points with these row indices, as one block on the backend, with their squared norms. */
function pickRows(x: Float32Array, xNorms: Float64Array, rows: ArrayLike<number>, p: number): { blocks: tf.Tensor2D[]; norms: Float64Array } {
  const picked = new Float32Array(rows.length * p)
  for (let r = 0; r < rows.length; r++) picked.set(x.subarray(rows[r]! * p, (rows[r]! + 1) * p), r * p)
  return { blocks: [tf.tensor2d(picked, [rows.length, p])], norms: Float64Array.from(rows, (i) => xNorms[i]!) }
}

/**
 * Mini-batch k-means from given centroids: per iteration a random batch is assigned to its nearest centres, each
 * centre moving toward its points at the rate 1/(points it has seen). Stops after maxIterations, or when the
 * smoothed batch inertia has not improved for 10 iterations (as scikit-learn's MiniBatchKMeans). Labels and the
 * inertia come from one final pass over all points.
 */
async function miniBatchRun(x: Float32Array, xs: tf.Tensor2D[], xNorms: Float64Array, n: number, p: number, k: number, start: Float32Array, options: KMeansOptions, restart: number, hooks: KMeansHooks, random: () => number): Promise<KMeansResult> {
  const centroids = Float32Array.from(start)
  const seen = new Float64Array(k)
  const size = Math.min(n, options.miniBatch!)
  let smoothed = Infinity
  let best = Infinity
  let stale = 0
  let iterations = 0
  while (iterations < options.maxIterations && stale < 10) {
    const rows = Int32Array.from({ length: size }, () => Math.floor(random() * n))
    const { blocks, norms } = pickRows(x, xNorms, rows, p)
    const d = await distances(blocks, norms, centroids, k, p)
    tf.dispose(blocks)
    let batchInertia = 0
    const nearest = new Int32Array(size)
    for (let r = 0; r < size; r++) {
      let c = 0
      for (let j = 1; j < k; j++) if (d[r * k + j]! < d[r * k + c]!) c = j
      nearest[r] = c
      batchInertia += d[r * k + c]!
    }
    for (let r = 0; r < size; r++) {
      const c = nearest[r]!
      const rate = 1 / ++seen[c]!
      for (let dim = 0; dim < p; dim++) centroids[c * p + dim]! += rate * (x[rows[r]! * p + dim]! - centroids[c * p + dim]!)
    }
    iterations++
    // An exponentially weighted average of the batch inertia per point, as scikit-learn's stopping rule.
    const perPoint = batchInertia / size
    const alpha = Math.min(1, (2 * size) / (n + 1))
    smoothed = smoothed === Infinity ? perPoint : smoothed * (1 - alpha) + perPoint * alpha
    if (smoothed < best) [best, stale] = [smoothed, 0]
    else stale++
    await hooks.iteration?.(restart, iterations, size)
  }
  const d = await distances(xs, xNorms, centroids, k, p)
  const labels = new Int32Array(n)
  let inertia = 0
  for (let i = 0; i < n; i++) {
    let c = 0
    for (let j = 1; j < k; j++) if (d[i * k + j]! < d[i * k + c]!) c = j
    labels[i] = c
    inertia += d[i * k + c]!
  }
  return { k, centroids, labels, inertia, iterations, converged: stale >= 10 }
}

/** k-means of n points (x: n × p), the best of `restarts` runs. */
export async function kmeans(x: Float32Array, n: number, p: number, options: KMeansOptions, hooks: KMeansHooks = {}): Promise<KMeansResult> {
  if (options.k < 1 || options.k > n) throw new RangeError(`k must be between 1 and the number of points (${n})`)
  const random = randomGenerator(options.seed)
  const xs = rowBlocks(x, n, p)
  const xNorms = squaredNorms(x, n, p)
  try {
    let best: KMeansResult | null = null
    for (let r = 0; r < options.restarts; r++) {
      const start = await kmeansPlusPlus(x, xs, xNorms, n, p, options.k, random)
      const run = options.miniBatch ? await miniBatchRun(x, xs, xNorms, n, p, options.k, start, options, r, hooks, random) : await lloyd(x, xs, xNorms, n, p, options.k, start, options, r, hooks)
      if (!best || run.inertia < best.inertia) best = run
    }
    return best!
  } finally {
    tf.dispose(xs)
  }
}

/**
 * The elbow of an inertia curve over increasing k: the k whose gain (the drop from the k before it) is largest
 * relative to the gain that follows (the drop to the k after it) — where adding clusters stops paying. Ends
 * have no elbow; with fewer than three points the first k is returned.
 */
export function elbow(ks: number[], inertias: number[]): number {
  if (ks.length < 3) return ks[0]!
  const floor = 1e-12 * Math.abs(inertias[0]!)
  let best = 1
  let bestScore = -Infinity
  for (let t = 1; t + 1 < ks.length; t++) {
    const gain = inertias[t - 1]! - inertias[t]!
    const next = Math.max(inertias[t]! - inertias[t + 1]!, floor)
    const score = gain / next
    if (score > bestScore) [best, bestScore] = [t, score]
  }
  return ks[best]!
}
