// Pairwise similarity S = Y Yᵀ of n objects (Y = X for dot products, rows of X scaled to unit norm for cosine),
// computed in row blocks so that long runs can report progress and checkpoint between blocks.
import * as tf from '@tensorflow/tfjs-core'
import { checkBindingSize, dispatch, outputBuffer, pipeline, readFloat32, tfjsGpuDevice, uniformBuffer, uploadBuffer } from './gpu'
import { normalizeRows } from './normalize'
import { SIMILARITY_ROWS_WGSL } from './shaders'

export const SIMILARITY_METRICS = ['dot', 'cosine'] as const
export type SimilarityMetric = (typeof SIMILARITY_METRICS)[number]

export interface SimilarityRows {
  /** Rows r0 … r1−1 of S, row-major, (r1 − r0) × n. */
  rows(r0: number, r1: number): Promise<Float32Array>
  dispose(): void
}

type Implementation = (y: Float32Array, n: number, p: number) => SimilarityRows

/** On WebGPU: our tiled WGSL product; Y is uploaded once and each block is one dispatch. */
const webgpu: Implementation = (y, n, p) => {
  const device = tfjsGpuDevice()
  checkBindingSize(device, y.byteLength, `the ${n}×${p} feature matrix`)
  const input = uploadBuffer(device, y, GPUBufferUsage.STORAGE)
  const compute = pipeline(device, 'similarityRows', SIMILARITY_ROWS_WGSL)
  return {
    async rows(r0, r1) {
      const rows = r1 - r0
      checkBindingSize(device, rows * n * 4, `a block of ${rows} similarity rows`)
      const output = outputBuffer(device, rows * n * 4)
      const params = uniformBuffer(device, [n, p, r0, rows])
      dispatch(device, compute, [input, output, params], [Math.ceil(n / 16), Math.ceil(rows / 16)])
      const result = await readFloat32(device, output, rows * n)
      output.destroy()
      params.destroy()
      return result
    },
    dispose: () => input.destroy(),
  }
}

/** Elsewhere: tfjs matMul, which is XNNPACK on wasm and native TensorFlow on the tensorflow backend. */
const tfOps: Implementation = (y, n, p) => {
  const all = tf.tensor2d(y, [n, p])
  // Transposed once: XNNPACK's product with a transposed right operand is many times slower.
  const transposed = tf.transpose(all)
  return {
    async rows(r0, r1) {
      const block = tf.tidy(() => tf.matMul(tf.slice(all, [r0, 0], [r1 - r0, p]), transposed))
      const data = (await block.data()) as Float32Array
      block.dispose()
      return data
    },
    dispose: () => {
      all.dispose()
      transposed.dispose()
    },
  }
}

export function createSimilarity(x: Float32Array, n: number, p: number, metric: SimilarityMetric): SimilarityRows {
  if (x.length !== n * p) throw new RangeError(`features hold ${x.length} values, expected ${n} × ${p}`)
  const y = metric === 'cosine' ? normalizeRows(x, n, p) : x
  return (tf.getBackend() === 'webgpu' ? webgpu : tfOps)(y, n, p)
}

/** Rows per block so one block's output stays near `bytes` (default 64 MiB). */
export function blockRows(n: number, bytes = 64 * 1024 * 1024): number {
  return Math.max(1, Math.min(n, Math.floor(bytes / (4 * Math.max(1, n)))))
}

/** The whole n×n matrix. */
export async function pairwiseSimilarity(x: Float32Array, n: number, p: number, metric: SimilarityMetric): Promise<Float32Array> {
  const similarity = createSimilarity(x, n, p, metric)
  try {
    const out = new Float32Array(n * n)
    const step = blockRows(n)
    for (let r0 = 0; r0 < n; r0 += step) {
      const r1 = Math.min(n, r0 + step)
      out.set(await similarity.rows(r0, r1), r0 * n)
    }
    return out
  } finally {
    similarity.dispose()
  }
}
