// How a layer's output becomes one feature vector per image: 4-D conv maps (batch × h × w × c) by global average
// over positions or flattened; 3-D token outputs (batch × tokens × d) by the first (CLS) token or the mean; 2-D
// outputs as they are.

export const POOLINGS = ['average', 'flatten', 'cls', 'mean'] as const
export type Pooling = (typeof POOLINGS)[number]

/**
 * The pooling used unless one is asked for, by the rank of an output without its batch axis: average over
 * positions for maps (h × w × c), the mean token for sequences (tokens × d).
 */
export function defaultPooling(rank: number): Pooling {
  return rank === 2 ? 'mean' : 'average'
}

/** Features per image after pooling a layer output of this shape (without the batch axis). */
export function pooledSize(shape: number[], pooling: Pooling): number {
  if (shape.length === 1) return shape[0]!
  if (pooling === 'flatten') return shape.reduce((a, b) => a * b, 1)
  return shape[shape.length - 1]!
}

/**
 * Pools `data` (batch × shape, row-major) into batch × pooledSize rows of `out` starting at row `at`. Average and
 * mean are the same reduction (over every axis but the last); cls keeps the first token.
 */
export function poolInto(data: Float32Array, batch: number, shape: number[], pooling: Pooling, out: Float32Array, at: number): void {
  const per = shape.reduce((a, b) => a * b, 1)
  const size = pooledSize(shape, pooling)
  if (shape.length === 1 || pooling === 'flatten') {
    out.set(data.subarray(0, batch * per), at * size)
    return
  }
  const channels = shape[shape.length - 1]!
  const positions = per / channels
  if (pooling === 'cls') {
    for (let b = 0; b < batch; b++) out.set(data.subarray(b * per, b * per + channels), (at + b) * size)
    return
  }
  const sums = new Float64Array(channels)
  for (let b = 0; b < batch; b++) {
    sums.fill(0)
    for (let q = 0; q < positions; q++) for (let c = 0; c < channels; c++) sums[c]! += data[b * per + q * channels + c]!
    for (let c = 0; c < channels; c++) out[(at + b) * size + c] = sums[c]! / positions
  }
}

/**
 * A batch size for inference that fits `memoryBytes`: a forward pass holds a few activations at a time, so the
 * largest layer output (float32, per image) times three is budgeted per image; at least 1, at most 64.
 */
export function batchSizeFor(outputShapes: (number | null)[][], memoryBytes: number): number {
  const largest = Math.max(1, ...outputShapes.map((s) => s.reduce<number>((a, d) => a * (d ?? 1), 1)))
  return Math.max(1, Math.min(64, Math.floor(memoryBytes / (largest * 4 * 3))))
}
