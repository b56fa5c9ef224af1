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
