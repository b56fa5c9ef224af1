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
  return Float64Array.from(weights, (w) => w / total)
}

export function uniformMarginal(n: number): Float64Array {
  return new Float64Array(n).fill(1 / n)
}
