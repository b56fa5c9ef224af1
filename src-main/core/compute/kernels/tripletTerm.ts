// The probe's triplet term in two WGSL kernels on the webgpu backend, run as tfjs programs (tfjsProgram.ts): Z
// never leaves the GPU, and the gradient with respect to Z is summed per object from a CSR list of its
// appearances (built on the host) instead of tfjs's gather gradient, whose scatter-add is slow on WebGPU. A
// training uploads an epoch's batches at once (TermBatches): a step's time on a GPU is the host's (see
// fusedTrainer.ts), and four uploads and a CSR built per step took ~30% of it (SwiftShader, 1.35 → 0.97 ms).
import * as tf from '@tensorflow/tfjs-core'
import { TRIPLET_TERM_GRADIENT_WGSL, TRIPLET_TERM_WGSL } from './shaders'
import { runKernel, scalarUniforms, type KernelSpec } from './tfjsProgram'

export interface TermTriplets {
  /** count × 3 object indices, the odd one out last. */
  indices: Int32Array
  /** count × 3 soft labels in pair order [(0,1), (0,2), (1,2)], or null for the human's pair 0. */
  soft: Float32Array | null
}

export interface FusedTerm {
  /**
   * Per triplet (rows): scale · dL/ds for its three pair similarities, −Σ_c y_c log p_c, and 1 when it is
   * answered correctly (L the summed cross-entropy).
   */
  term: tf.Tensor2D
  /** scale · dL/dZ, n × q; only when asked for. */
  dz: tf.Tensor2D | null
}

/** Columns of `term`: the cross-entropy and correctness follow the three coefficients. */
const TERM_COLUMNS = 5

const TERM: Omit<KernelSpec, 'groups'> = {
  key: 'humanalignTripletTerm',
  inputs: ['z', 'tri', 'labels'],
  workgroupSize: 64,
  uniforms: 'q: i32, soft: i32, invTemp: f32, scale: f32, start: i32,',
  code: TRIPLET_TERM_WGSL,
}

const GRADIENT: Omit<KernelSpec, 'groups'> = {
  key: 'humanalignTripletTermGradient',
  inputs: ['z', 'tri', 'term', 'offsets', 'entries'],
  workgroupSize: 64,
  uniforms: 'q: i32, columnGroups: i32, start: i32, offsetBase: i32,',
  code: TRIPLET_TERM_GRADIENT_WGSL,
}

/**
 * Consecutive batches of triplets on the device: their indices (and soft labels) in one tensor each, batch k the
 * triplets starts[k] … starts[k + 1] − 1; with `gradient`, each object's appearances in each batch as CSR: offsets
 * (n + 1 per batch, positions in `entries`) and entries 3c + role (c the triplet's place in its batch).
 */
export interface TermBatches {
  starts: number[]
  tri: tf.Tensor1D
  labels: tf.Tensor1D
  offsets: tf.Tensor1D | null
  entries: tf.Tensor1D | null
  dispose(): void
}

/** The triplets `ids` of `triplets`, `batch` at a time (the last batch may be smaller), uploaded for the kernels. */
export function termBatches(triplets: TermTriplets, ids: Int32Array, batch: number, n: number, gradient: boolean): TermBatches {
  const m = ids.length
  const tri = new Int32Array(3 * m)
  const labels = triplets.soft ? new Float32Array(3 * m) : new Float32Array(1)
  for (let c = 0; c < m; c++) {
    const t = 3 * ids[c]!
    for (let r = 0; r < 3; r++) tri[3 * c + r] = triplets.indices[t + r]!
    if (triplets.soft) for (let r = 0; r < 3; r++) labels[3 * c + r] = triplets.soft[t + r]!
  }
  const starts: number[] = []
  for (let start = 0; start < m; start += batch) starts.push(start)
  starts.push(m)
  const batches = starts.length - 1
  let lists: [tf.Tensor1D, tf.Tensor1D] | null = null
  if (gradient) {
    // A counting sort of each batch's 3 · size appearances by object, in order of c within an object.
    const offsets = new Int32Array(batches * (n + 1))
    const entries = new Int32Array(3 * m)
    const fill = new Int32Array(n)
    for (let k = 0; k < batches; k++) {
      const base = k * (n + 1)
      const [from, to] = [3 * starts[k]!, 3 * starts[k + 1]!]
      for (let e = from; e < to; e++) offsets[base + tri[e]! + 1]!++
      offsets[base] = from
      for (let o = 0; o < n; o++) offsets[base + o + 1]! += offsets[base + o]!
      fill.set(offsets.subarray(base, base + n))
      for (let e = from; e < to; e++) entries[fill[tri[e]!]!++] = e - from
    }
    lists = [tf.tensor1d(offsets, 'int32'), tf.tensor1d(entries, 'int32')]
  }
  const tensors = { tri: tf.tensor1d(tri, 'int32'), labels: tf.tensor1d(labels) }
  return {
    starts,
    ...tensors,
    offsets: lists?.[0] ?? null,
    entries: lists?.[1] ?? null,
    dispose: () => tf.dispose([tensors.tri, tensors.labels, ...(lists ?? [])]),
  }
}

/**
 * The triplet term of batch `index` from Z (n × q, on the webgpu backend) at temperature τ; with `scale`, also
 * scale · dL/dZ for L the summed cross-entropy (pass scale = weight / (count · τ) for the gradient of a weighted
 * mean; the batches must have been made with `gradient`). Two kernels in tfjs's command stream, no upload.
 */
export function batchTripletTerm(z: tf.Tensor2D, batches: TermBatches, index: number, soft: boolean, temperature: number, scale: number | null): FusedTerm {
  const [n, q] = z.shape
  const start = batches.starts[index]!
  const m = batches.starts[index + 1]! - start
  const uniforms = scalarUniforms([
    ['int32', q],
    ['int32', soft ? 1 : 0],
    ['float32', 1 / temperature],
    ['float32', scale ?? 0],
    ['int32', start],
  ])
  const term = runKernel({ ...TERM, groups: m }, [z, batches.tri, batches.labels], [m, TERM_COLUMNS], uniforms) as tf.Tensor2D
  let dz: tf.Tensor2D | null = null
  if (scale !== null) {
    if (!batches.offsets || !batches.entries) throw new Error('these triplet batches were made without their gradient lists')
    const columnGroups = Math.ceil(q / 64)
    const gradientUniforms = scalarUniforms([['int32', q], ['int32', columnGroups], ['int32', start], ['int32', index * (n + 1)]])
    dz = runKernel({ ...GRADIENT, groups: n * columnGroups }, [z, batches.tri, term, batches.offsets, batches.entries], [n, q], gradientUniforms) as tf.Tensor2D
  }
  return { term, dz }
}

/** The triplet term of the triplets `ids` as one batch (batchTripletTerm), their upload included. */
export function fusedTripletTerm(z: tf.Tensor2D, triplets: TermTriplets, ids: Int32Array, temperature: number, scale: number | null): FusedTerm {
  const batches = termBatches(triplets, ids, Math.max(1, ids.length), z.shape[0], scale !== null)
  try {
    return batchTripletTerm(z, batches, 0, triplets.soft !== null, temperature, scale)
  } finally {
    batches.dispose()
  }
}

/** [Σ −Σ y log p, number correct] over a term's triplets, as a device tensor. */
export function termSums(term: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.slice(term, [0, 3], [-1, 2]), 0) as tf.Tensor1D)
}
