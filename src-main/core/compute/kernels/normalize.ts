/** Rows scaled to unit Euclidean norm (cosine similarity); a zero row stays zero. */
export function normalizeRows(x: Float32Array, n: number, p: number): Float32Array {
  const out = new Float32Array(x.length)
  for (let r = 0; r < n; r++) {
    const base = r * p
    let sum = 0
    for (let c = 0; c < p; c++) sum += x[base + c]! * x[base + c]!
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0
    for (let c = 0; c < p; c++) out[base + c] = x[base + c]! * scale
  }
  return out
}
