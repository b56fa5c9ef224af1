// Simulated odd-one-out judgments from an embedding (the SPoSE stand-in for the 4.7 M THINGS triplets): each
// choice is drawn from softmax([s_ij, s_ik, s_jk] / T) over the pair dot products, and those probabilities are
// kept as soft labels. T is calibrated, unless given, so that the mean probability of the most likely choice
// equals the THINGS noise ceiling.

export const THINGS_NOISE_CEILING = 0.673

export interface SimulatedTriplets {
  count: number
  /** N×3, 0-based, column 2 the simulated odd-one-out. */
  indices: Int32Array
  /** N×3 in the stored triplet's pair order: [p(0,1 most similar), p(0,2), p(1,2)]. */
  soft: Float32Array
  temperature: number
  /** Mean over triplets of the largest of the three probabilities. */
  meanMaxProbability: number
}

/** xoshiro128** (Blackman & Vigna) from a given state: 32-bit outputs. */
export function xoshiro128ss(seedState: [number, number, number, number]): () => number {
  const state = Uint32Array.from(seedState)
  return () => {
    const [a, b, c, d] = state as unknown as [number, number, number, number]
    const result = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)) >>> 0, 9) >>> 0
    const t = (b << 9) >>> 0
    state[2] = c ^ a
    state[3] = d ^ b
    state[1] = b ^ state[2]!
    state[0] = a ^ state[3]!
    state[2] = state[2]! ^ t
    state[3] = ((state[3]! << 11) | (state[3]! >>> 21)) >>> 0
    return result
  }
}

/** Uniform numbers in [0, 1), the same sequence everywhere for a seed (splitmix32 fills the state). */
export function randomGenerator(seed: number): () => number {
  let s = seed >>> 0
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  const bits = xoshiro128ss([next(), next(), next(), next()])
  return () => bits() / 4294967296
}

function dot(x: Float32Array, p: number, a: number, b: number): number {
  let sum = 0
  const ia = a * p
  const ib = b * p
  for (let d = 0; d < p; d++) sum += x[ia + d]! * x[ib + d]!
  return sum
}

/** Pair similarities of each triplet, [s01, s02, s12]. */
function pairSimilarities(x: Float32Array, p: number, triplets: Int32Array): Float64Array {
  const count = triplets.length / 3
  const out = new Float64Array(count * 3)
  for (let t = 0; t < count; t++) {
    const [i, j, k] = [triplets[3 * t]!, triplets[3 * t + 1]!, triplets[3 * t + 2]!]
    out[3 * t] = dot(x, p, i, j)
    out[3 * t + 1] = dot(x, p, i, k)
    out[3 * t + 2] = dot(x, p, j, k)
  }
  return out
}

function softmax3(s: Float64Array, t: number, temperature: number, out: Float64Array): void {
  const a = s[3 * t]! / temperature
  const b = s[3 * t + 1]! / temperature
  const c = s[3 * t + 2]! / temperature
  const m = Math.max(a, b, c)
  const ea = Math.exp(a - m)
  const eb = Math.exp(b - m)
  const ec = Math.exp(c - m)
  const z = ea + eb + ec
  out[0] = ea / z
  out[1] = eb / z
  out[2] = ec / z
}

export function meanMaxProbability(similarities: Float64Array, temperature: number): number {
  const count = similarities.length / 3
  const p = new Float64Array(3)
  let sum = 0
  for (let t = 0; t < count; t++) {
    softmax3(similarities, t, temperature, p)
    sum += Math.max(p[0]!, p[1]!, p[2]!)
  }
  return sum / count
}

/** The temperature whose mean max probability is `target`, by bisection on log T (the mean falls as T grows). */
export function calibrateTemperature(similarities: Float64Array, target: number): number {
  if (!(target > 1 / 3 && target < 1)) throw new RangeError(`the target probability must lie between 1/3 and 1, not ${target}`)
  let lo = -20
  let hi = 20
  const reachable = meanMaxProbability(similarities, Math.exp(lo))
  if (reachable < target) {
    throw new RangeError(`these similarities cannot reach a mean choice probability of ${target} (at most ${reachable.toFixed(3)}: too many ties)`)
  }
  for (let step = 0; step < 200 && hi - lo > 1e-10; step++) {
    const mid = (lo + hi) / 2
    if (meanMaxProbability(similarities, Math.exp(mid)) > target) lo = mid
    else hi = mid
  }
  return Math.exp((lo + hi) / 2)
}

/** Draws `count` triplets of three different objects out of n, uniformly. */
export function randomTriplets(n: number, count: number, random: () => number): Int32Array {
  if (n < 3) throw new RangeError('triplets need at least three objects')
  const out = new Int32Array(count * 3)
  for (let t = 0; t < count; t++) {
    const i = Math.floor(random() * n)
    let j = Math.floor(random() * (n - 1))
    if (j >= i) j++
    let k = Math.floor(random() * (n - 2))
    const [lo, hi] = i < j ? [i, j] : [j, i]
    if (k >= lo) k++
    if (k >= hi) k++
    out[3 * t] = i
    out[3 * t + 1] = j
    out[3 * t + 2] = k
  }
  return out
}

/**
 * Simulates `count` odd-one-out choices on the embedding x (n×p). The stored triplet puts the sampled
 * odd-one-out last; its soft labels are the three choice probabilities in that stored order.
 */
export function simulateTriplets(x: Float32Array, n: number, p: number, count: number, seed: number, temperature?: number): SimulatedTriplets {
  const random = randomGenerator(seed)
  const drawn = randomTriplets(n, count, random)
  const similarities = pairSimilarities(x, p, drawn)
  const t = temperature ?? calibrateTemperature(similarities, THINGS_NOISE_CEILING)
  const indices = new Int32Array(count * 3)
  const soft = new Float32Array(count * 3)
  const prob = new Float64Array(3)
  let maxSum = 0
  for (let k = 0; k < count; k++) {
    softmax3(similarities, k, t, prob)
    maxSum += Math.max(prob[0]!, prob[1]!, prob[2]!)
    const [a, b, c] = [drawn[3 * k]!, drawn[3 * k + 1]!, drawn[3 * k + 2]!]
    const u = random()
    // Pair 0 = (a, b) most similar → c is the odd one out; pair 1 = (a, c) → b; pair 2 = (b, c) → a.
    const pair = u < prob[0]! ? 0 : u < prob[0]! + prob[1]! ? 1 : 2
    const order = pair === 0 ? [a, b, c] : pair === 1 ? [a, c, b] : [b, c, a]
    // The same probabilities re-indexed to the stored order's pairs (0,1), (0,2), (1,2).
    const reordered = pair === 0 ? [prob[0]!, prob[1]!, prob[2]!] : pair === 1 ? [prob[1]!, prob[0]!, prob[2]!] : [prob[2]!, prob[0]!, prob[1]!]
    indices.set(order, 3 * k)
    soft.set(reordered, 3 * k)
  }
  return { count, indices, soft, temperature: t, meanMaxProbability: maxSum / count }
}
