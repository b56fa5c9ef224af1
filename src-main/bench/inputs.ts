// Deterministic benchmark inputs, generated the same way in bench/reference/cases.py so both sides compute on
// the same numbers and their checksums can be compared.

export function inputMatrix(rows: number, cols: number, phase: number): Float32Array {
  const out = new Float32Array(rows * cols)
  for (let i = 0; i < out.length; i++) out[i] = Math.sin(i * 0.001 + phase) + Math.cos(i * 0.0007)
  return out
}

export function inputTriplets(count: number, n: number): Int32Array {
  const out = new Int32Array(count * 3)
  for (let i = 0; i < count; i++) {
    out[3 * i] = (i * 7919) % n
    out[3 * i + 1] = (i * 104729 + 1) % n
    out[3 * i + 2] = (i * 1299709 + 2) % n
  }
  return out
}

/**
 * A probe benchmark's data: features X (n × p), and triplets of distinct objects whose odd one out (last) is the
 * one a hidden 8-d embedding H of the same objects chooses; split 80/10/10 into training, validation and test.
 */
export function probeInputs(count: number, n: number, p: number) {
  const x = inputMatrix(n, p, 0)
  const h = inputMatrix(n, 8, 2)
  const dot = (a: number, b: number) => {
    let s = 0
    for (let d = 0; d < 8; d++) s += h[a * 8 + d]! * h[b * 8 + d]!
    return s
  }
  const drawn = inputTriplets(count, n)
  const kept: number[] = []
  for (let t = 0; t < count; t++) {
    const [a, b, c] = [drawn[3 * t]!, drawn[3 * t + 1]!, drawn[3 * t + 2]!]
    if (a === b || a === c || b === c) continue
    const [ab, ac, bc] = [dot(a, b), dot(a, c), dot(b, c)]
    kept.push(...(ab >= ac && ab >= bc ? [a, b, c] : ac >= bc ? [a, c, b] : [b, c, a]))
  }
  const total = kept.length / 3
  const part = (from: number, to: number) => ({ indices: Int32Array.from(kept.slice(3 * from, 3 * to)), count: to - from, soft: null })
  const [train, validation] = [Math.floor(total * 0.8), Math.floor(total * 0.9)]
  return { x, train: part(0, train), validation: part(train, validation), test: part(validation, total) }
}
