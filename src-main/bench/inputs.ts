import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
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
 * A probe benchmark's data: a hidden 8-d embedding H of n objects picks each triplet's odd one out (last); the
 * features are X = H A + 0.1 N (A a fixed 8 × p map, N a fixed pattern), so a linear probe can recover H's
 * similarities from X. Triplets of distinct objects, split 80/10/10 into training, validation and test.
 */
export function probeInputs(count: number, n: number, p: number) {
  const h = inputMatrix(n, 8, 2)
  const a = inputMatrix(8, p, 1)
  const noise = inputMatrix(n, p, 3)
  const x = new Float32Array(n * p)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < p; d++) {
      let v = 0
      for (let k = 0; k < 8; k++) v += h[i * 8 + k]! * a[k * p + d]!
      x[i * p + d] = v + 0.1 * noise[i * p + d]!
    }
  }
  const dot = (i: number, j: number) => {
    let s = 0
    for (let d = 0; d < 8; d++) s += h[i * 8 + d]! * h[j * 8 + d]!
    return s
  }
  const drawn = inputTriplets(count, n)
  const kept: number[] = []
  for (let t = 0; t < count; t++) {
    const [i, j, k] = [drawn[3 * t]!, drawn[3 * t + 1]!, drawn[3 * t + 2]!]
    if (i === j || i === k || j === k) continue
    const [ij, ik, jk] = [dot(i, j), dot(i, k), dot(j, k)]
    kept.push(...(ij >= ik && ij >= jk ? [i, j, k] : ik >= jk ? [i, k, j] : [j, k, i]))
  }
  const total = kept.length / 3
  const part = (from: number, to: number) => ({ indices: Int32Array.from(kept.slice(3 * from, 3 * to)), count: to - from, soft: null })
  const [train, validation] = [Math.floor(total * 0.8), Math.floor(total * 0.9)]
  return { x, train: part(0, train), validation: part(train, validation), test: part(validation, total) }
}

/**
 * A path of the repository found from the bench's folder upward: the built bench (out/main) and the bundle for a
 * GPU machine (.gpu/app) sit at different depths below the repository root.
 */
export function repositoryPath(...parts: string[]): string {
  const file = join(...parts)
  let dir = __dirname
  while (!existsSync(join(dir, file)) && dirname(dir) !== dir) dir = dirname(dir)
  return join(dir, file)
}

/** The first n rows of the THINGS SPoSE 66-d embedding (bundled). */
export function sposeRows(n: number): Float64Array {
  const rows = readFileSync(repositoryPath('resources', 'examples', 'things', 'spose_embedding66d_rescaled.csv'), 'utf8').trim().split('\n').slice(1, n + 1)
  const out = new Float64Array(n * 66)
  rows.forEach((line, i) => line.split(',').slice(2).forEach((v, d) => (out[i * 66 + d] = Number(v))))
  return out
}
