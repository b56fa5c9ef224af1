// Exact t-SNE (van der Maaten & Hinton 2008) as scikit-learn's method="exact" does it: per-point Gaussian
// bandwidths found by binary search to the perplexity, symmetrised joint probabilities, Student-t (one degree of
// freedom) affinities in 2-D, gradient descent with momentum and per-coordinate gains, early exaggeration. O(n²) per
// iteration, which is the right trade for the few thousand objects of a similarity study.

const MACHINE_EPSILON = 2.220446049250313e-16

export interface TsneOptions {
  perplexity?: number
  iterations?: number
  earlyExaggeration?: number
  /** Iterations with exaggerated P and momentum 0.5. */
  exploration?: number
  /** Called every few iterations; may await (to yield for a cancel); returning false stops. */
  onIteration?: (iteration: number, kl: number) => Promise<boolean | void> | boolean | void
}

export interface TsneResult {
  coordinates: Float64Array
  kl: number
  iterations: number
}

/**
 * Joint probabilities P (n × n, symmetric, summing to 1) from squared distances, each row's bandwidth found by
 * binary search so that the row's entropy is log(perplexity) (scikit-learn's _binary_search_perplexity).
 */
export function jointProbabilities(distances: Float64Array, n: number, perplexity: number): Float64Array {
  const conditional = new Float64Array(n * n)
  const desired = Math.log(perplexity)
  for (let i = 0; i < n; i++) {
    let beta = 1
    let betaMin = -Infinity
    let betaMax = Infinity
    for (let step = 0; step < 100; step++) {
      let sum = 0
      for (let j = 0; j < n; j++) {
        const v = j === i ? 0 : Math.exp(-distances[i * n + j]! * beta)
        conditional[i * n + j] = v
        sum += v
      }
      if (sum === 0) sum = 1e-8
      let weighted = 0
      for (let j = 0; j < n; j++) {
        conditional[i * n + j]! /= sum
        weighted += distances[i * n + j]! * conditional[i * n + j]!
      }
      const entropy = Math.log(sum) + beta * weighted
      const difference = entropy - desired
      if (Math.abs(difference) <= 1e-5) break
      if (difference > 0) {
        betaMin = beta
        beta = betaMax === Infinity ? beta * 2 : (beta + betaMax) / 2
      } else {
        betaMax = beta
        beta = betaMin === -Infinity ? beta / 2 : (beta + betaMin) / 2
      }
    }
  }
  const p = new Float64Array(n * n)
  let total = 0
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) total += conditional[i * n + j]! + conditional[j * n + i]!
  total = Math.max(total, MACHINE_EPSILON)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) p[i * n + j] = i === j ? 0 : Math.max((conditional[i * n + j]! + conditional[j * n + i]!) / total, MACHINE_EPSILON)
  return p
}

/**
 * The gradient of KL(P‖Q) at y (n × 2) for Student-t affinities, written into grad, and — when asked, since its
 * logarithms cost as much as the gradient — KL itself (else NaN). Each pair is visited once per pass.
 */
function klGradient(p: Float64Array, y: Float64Array, n: number, exaggeration: number, grad: Float64Array, numerators: Float64Array, withKl: boolean): number {
  let sum = 0
  for (let i = 0; i < n; i++) {
    const [xi, yi] = [y[2 * i]!, y[2 * i + 1]!]
    const row = i * n
    for (let j = i + 1; j < n; j++) {
      const dx = xi - y[2 * j]!
      const dy = yi - y[2 * j + 1]!
      const v = 1 / (1 + dx * dx + dy * dy)
      numerators[row + j] = v
      sum += 2 * v
    }
  }
  const inverse = 1 / sum
  let kl = 0
  grad.fill(0)
  for (let i = 0; i < n; i++) {
    const [xi, yi] = [y[2 * i]!, y[2 * i + 1]!]
    const row = i * n
    let gx = 0
    let gy = 0
    for (let j = i + 1; j < n; j++) {
      const pij = p[row + j]! * exaggeration
      const num = numerators[row + j]!
      const f = (pij - num * inverse) * num
      const fx = f * (xi - y[2 * j]!)
      const fy = f * (yi - y[2 * j + 1]!)
      gx += fx
      gy += fy
      grad[2 * j]! -= fx
      grad[2 * j + 1]! -= fy
      if (withKl) kl += 2 * pij * Math.log(Math.max(pij, MACHINE_EPSILON) / Math.max(num * inverse, MACHINE_EPSILON))
    }
    grad[2 * i]! += gx
    grad[2 * i + 1]! += gy
  }
  for (let k = 0; k < 2 * n; k++) grad[k]! *= 4
  return withKl ? kl : NaN
}

/**
 * t-SNE of n objects from their squared distances (features: squared Euclidean; a dissimilarity matrix: as given),
 * started from `init` (n × 2; scikit-learn's PCA start, scaled so the first coordinate's std is 1e-4).
 */
export async function tsne(distances: Float64Array, n: number, init: Float64Array, options: TsneOptions = {}): Promise<TsneResult> {
  const perplexity = options.perplexity ?? 30
  if (n < 4) throw new RangeError('t-SNE needs at least 4 objects')
  if (perplexity >= n) throw new RangeError(`the perplexity (${perplexity}) must be less than the number of objects (${n})`)
  const iterations = options.iterations ?? 1000
  const exaggeration = options.earlyExaggeration ?? 12
  const exploration = Math.min(options.exploration ?? 250, iterations)
  const learningRate = Math.max(n / exaggeration / 4, 50)
  const p = jointProbabilities(distances, n, perplexity)
  const y = Float64Array.from(init)
  const update = new Float64Array(2 * n)
  const gains = new Float64Array(2 * n).fill(1)
  const grad = new Float64Array(2 * n)
  const numerators = new Float64Array(n * n)
  let kl = 0
  let done = 0
  let best = Infinity
  let bestIteration = 0
  for (let it = 0; it < iterations; it++) {
    const exploring = it < exploration
    if (it === exploration) {
      // The second stage starts afresh, as scikit-learn's second call of its gradient descent does.
      update.fill(0)
      gains.fill(1)
      best = Infinity
    }
    // KL is needed only where scikit-learn checks progress, every 50 iterations; reports between carry the last one.
    const checking = (it + 1) % 50 === 0
    const value = klGradient(p, y, n, exploring ? exaggeration : 1, grad, numerators, checking)
    if (checking) kl = value
    const momentum = exploring ? 0.5 : 0.8
    let norm = 0
    for (let k = 0; k < 2 * n; k++) {
      gains[k] = update[k]! * grad[k]! < 0 ? gains[k]! + 0.2 : gains[k]! * 0.8
      if (gains[k]! < 0.01) gains[k] = 0.01
      const step = gains[k]! * grad[k]!
      norm += step * step
      update[k] = momentum * update[k]! - learningRate * step
      y[k]! += update[k]!
    }
    done = it + 1
    if (!exploring && (it + 1) % 50 === 0) {
      // scikit-learn's stopping rules, checked every 50 iterations: no progress for 300 iterations, or a vanishing gradient.
      if (kl < best) {
        best = kl
        bestIteration = it
      } else if (it - bestIteration > 300) break
      if (Math.sqrt(norm) <= 1e-7) break
    }
    if ((it + 1) % 10 === 0 && options.onIteration && (await options.onIteration(it + 1, kl)) === false) break
  }
  // The KL divergence of the final embedding, without exaggeration.
  kl = klGradient(p, y, n, 1, grad, numerators, true)
  return { coordinates: y, kl, iterations: done }
}

/** scikit-learn's PCA start: the first two principal coordinates, scaled so that the first has std 1e-4. */
export function scaledStart(coordinates: Float64Array, n: number): Float64Array {
  let mean = 0
  for (let i = 0; i < n; i++) mean += coordinates[2 * i]! / n
  let variance = 0
  for (let i = 0; i < n; i++) variance += (coordinates[2 * i]! - mean) ** 2 / n
  const scale = 1e-4 / (Math.sqrt(variance) || 1)
  return Float64Array.from(coordinates, (v) => v * scale)
}
