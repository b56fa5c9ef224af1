// The probe's triplet term in two WGSL kernels on the webgpu backend, run as tfjs programs (tfjsProgram.ts): Z
// never leaves the GPU, and the gradient with respect to Z is summed per object from a CSR list of its
// appearances (built on the host, a few kilobytes per batch) instead of tfjs's gather gradient, whose scatter-add
// is slow on WebGPU.
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
  uniforms: 'q: i32, soft: i32, invTemp: f32, scale: f32,',
  code: TRIPLET_TERM_WGSL,
}

const GRADIENT: Omit<KernelSpec, 'groups'> = {
  key: 'humanalignTripletTermGradient',
  inputs: ['z', 'tri', 'term', 'offsets', 'entries'],
  workgroupSize: 64,
  uniforms: 'q: i32, columnGroups: i32,',
  code: TRIPLET_TERM_GRADIENT_WGSL,
}

/** Each object's appearances in the triplets `ids`, as CSR: offsets (n + 1) and entries 3c + role. */
function appearances(indices: Int32Array, ids: Int32Array, n: number): { offsets: Int32Array; entries: Int32Array } {
  const offsets = new Int32Array(n + 1)
  for (const t of ids) for (let r = 0; r < 3; r++) offsets[indices[3 * t + r]! + 1]!++
  for (let o = 0; o < n; o++) offsets[o + 1]! += offsets[o]!
  const fill = offsets.slice(0, n)
  const entries = new Int32Array(3 * ids.length)
  ids.forEach((t, c) => {
    for (let r = 0; r < 3; r++) entries[fill[indices[3 * t + r]!]!++] = 3 * c + r
  })
  return { offsets, entries }
}

/**
 * The triplet term of `ids` from Z (n × q, on the webgpu backend) at temperature τ; with `scale`, also
 * scale · dL/dZ for L the summed cross-entropy (pass scale = weight / (count · τ) for the gradient of a weighted
 * mean). Two kernels in tfjs's command stream; the triplets and their labels are uploaded as tensors.
 */
export function fusedTripletTerm(z: tf.Tensor2D, triplets: TermTriplets, ids: Int32Array, temperature: number, scale: number | null): FusedTerm {
  const [n, q] = z.shape
  const m = ids.length
  const tri = new Int32Array(3 * m)
  const labels = triplets.soft ? new Float32Array(3 * m) : new Float32Array(1)
  ids.forEach((t, c) => {
    for (let r = 0; r < 3; r++) {
      tri[3 * c + r] = triplets.indices[3 * t + r]!
      if (triplets.soft) labels[3 * c + r] = triplets.soft[3 * t + r]!
    }
  })
  const triTensor = tf.tensor1d(tri, 'int32')
  const labelTensor = tf.tensor1d(labels)
  const uniforms = scalarUniforms([
    ['int32', q],
    ['int32', triplets.soft ? 1 : 0],
    ['float32', 1 / temperature],
    ['float32', scale ?? 0],
  ])
  const term = runKernel({ ...TERM, groups: m }, [z, triTensor, labelTensor], [m, TERM_COLUMNS], uniforms) as tf.Tensor2D
  let dz: tf.Tensor2D | null = null
  if (scale !== null) {
    const { offsets, entries } = appearances(triplets.indices, ids, n)
    const lists = [tf.tensor1d(offsets, 'int32'), tf.tensor1d(entries, 'int32')]
    const columnGroups = Math.ceil(q / 64)
    dz = runKernel({ ...GRADIENT, groups: n * columnGroups }, [z, triTensor, term, ...lists], [n, q], scalarUniforms([['int32', q], ['int32', columnGroups]])) as tf.Tensor2D
    tf.dispose(lists)
  }
  tf.dispose([triTensor, labelTensor])
  return { term, dz }
}

/** [Σ −Σ y log p, number correct] over a term's triplets, as a device tensor. */
export function termSums(term: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.slice(term, [0, 3], [-1, 2]), 0) as tf.Tensor1D)
}
