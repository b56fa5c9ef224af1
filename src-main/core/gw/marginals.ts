// The marginals of a GW problem: uniform by default, or the user's weights of the objects (any positive scale).

/**
 * Weights of n objects as a marginal summing to 1. Every weight must be finite and positive: an object with
 * weight 0 carries no mass, so every plan's row for it is empty and its matching undefined.
 */
export function marginal(weights: ArrayLike<number>, n: number): Float64Array {
  if (weights.length !== n) throw new RangeError(`holds ${weights.length} weights; the representations have ${n} objects (one weight per object, in their order).`)
  let total = 0
  for (let i = 0; i < n; i++) {
    const w = weights[i]!
    if (!Number.isFinite(w) || w <= 0) throw new RangeError(`weight ${i + 1} is ${w}; every weight must be a positive number (drop an object from both representations rather than give it weight 0).`)
    total += w
  }
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = weights[i]! / total
  return out
}

/** The independent plan p qᵀ (n × m), where a solve starts. */
export function productPlan(p: Float64Array, q: Float64Array): Float64Array {
  const [n, m] = [p.length, q.length]
  const plan = new Float64Array(n * m)
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) plan[i * m + j] = p[i]! * q[j]!
  return plan
}

export function uniformMarginal(n: number): Float64Array {
  return new Float64Array(n).fill(1 / n)
}
