// The probe's triplet term fused into two WGSL passes on the webgpu device that tfjs holds: Z never leaves the
// GPU, and the gradient with respect to Z is summed per object from a CSR list of its appearances (built on the
// host, a few kilobytes per batch) instead of tfjs's gather gradient, whose scatter-add is slow on WebGPU.
// Measured on an H100 (1 M triplets, batch 4096): Dawn's queue submits dominate, so a step submits once.
import * as tf from '@tensorflow/tfjs-core'
import { dispatchPasses, f32Bits, grid, outputBuffer, pipeline, tfjsGpuDevice, uploadBuffer, type Pass } from './gpu'
import { TRIPLET_TERM_GRADIENT_WGSL, TRIPLET_TERM_WGSL } from './shaders'

export interface TermTriplets {
  /** count × 3 object indices, the odd one out last. */
  indices: Int32Array
  /** count × 3 soft labels in pair order [(0,1), (0,2), (1,2)], or null for the human's pair 0. */
  soft: Float32Array | null
}

export interface FusedTerm {
  /** [Σ −Σ_c y_c log p_c, number correct] over the triplets. */
  sums: tf.Tensor1D
  /** scale · dL/dZ (L the summed cross-entropy), n × q; only when asked for. */
  dz: tf.Tensor2D | null
}

/** The backend's queue flush: tfjs records commands and submits them later, our buffers must outlive that. */
function flushTfjs(): void {
  const backend = tf.backend() as unknown as { endComputePassEncoder?: () => void; submitQueue?: () => void }
  if (typeof backend.submitQueue !== 'function' || typeof backend.endComputePassEncoder !== 'function') {
    throw new Error('this tfjs-backend-webgpu cannot be flushed (no submitQueue); the fused triplet kernels need it')
  }
  backend.endComputePassEncoder()
  backend.submitQueue()
}

/** Each object's appearances in the triplets `ids`, as CSR: offsets (n + 1) and entries 3c + role. */
function appearances(indices: Int32Array, ids: Int32Array, n: number): { offsets: Uint32Array; entries: Uint32Array } {
  const offsets = new Uint32Array(n + 1)
  for (const t of ids) for (let r = 0; r < 3; r++) offsets[indices[3 * t + r]! + 1]!++
  for (let o = 0; o < n; o++) offsets[o + 1]! += offsets[o]!
  const fill = offsets.slice(0, n)
  const entries = new Uint32Array(3 * ids.length)
  ids.forEach((t, c) => {
    for (let r = 0; r < 3; r++) entries[fill[indices[3 * t + r]!]!++] = 3 * c + r
  })
  return { offsets, entries }
}

/**
 * The buffers the kernels need for batches of up to `capacity` triplets over n × q rows of Z, made once per
 * training and reused by every step (buffer creation is costly in Dawn). Queue order keeps reuse safe: tfjs's
 * pending reads of the last step's outputs are submitted (by dataToGPU) before the next step's kernels.
 */
export interface TripletWorkspace {
  device: GPUDevice
  capacity: number
  n: number
  q: number
  tri: GPUBuffer
  labels: GPUBuffer
  coef: GPUBuffer
  stats: GPUBuffer
  offsets: GPUBuffer
  entries: GPUBuffer
  dz: GPUBuffer
  params: GPUBuffer
  gradientParams: GPUBuffer
}

export function createTripletWorkspace(capacity: number, n: number, q: number): TripletWorkspace {
  const device = tfjsGpuDevice()
  const storage = (bytes: number) => device.createBuffer({ size: Math.max(16, bytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST })
  // Outputs that tfjs adopts as tensors without a copy (zeroCopy) need STORAGE | COPY_SRC.
  const adopted = (bytes: number) => outputBuffer(device, bytes, GPUBufferUsage.COPY_DST)
  const uniform = () => device.createBuffer({ size: 32, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST })
  return {
    device,
    capacity,
    n,
    q,
    tri: storage(12 * capacity),
    labels: storage(12 * capacity),
    coef: storage(12 * capacity),
    stats: adopted(8 * capacity),
    offsets: storage(4 * (n + 1)),
    entries: storage(12 * capacity),
    dz: adopted(4 * n * q),
    params: uniform(),
    gradientParams: uniform(),
  }
}

export function destroyTripletWorkspace(w: TripletWorkspace): void {
  for (const buffer of [w.tri, w.labels, w.coef, w.stats, w.offsets, w.entries, w.dz, w.params, w.gradientParams]) buffer.destroy()
}

/** Z's GPU buffer; submits tfjs's pending work first. Tiny tensors that tfjs computed on the CPU are uploaded. */
function bufferOf(device: GPUDevice, z: tf.Tensor2D): { buffer: GPUBuffer; release(): void } {
  try {
    const data = z.dataToGPU()
    return { buffer: data.buffer!, release: () => data.tensorRef.dispose() }
  } catch (err) {
    if (!(err instanceof Error && /not on GPU but on CPU/.test(err.message))) throw err
    flushTfjs()
    const buffer = uploadBuffer(device, z.dataSync() as Float32Array, GPUBufferUsage.STORAGE)
    return { buffer, release: () => buffer.destroy() }
  }
}

/**
 * The triplet term of `ids` from Z (n × q, on the webgpu backend) at temperature τ; with `scale`, also
 * scale · dL/dZ for L the summed cross-entropy (pass scale = weight / (count · τ) for the gradient of a weighted
 * mean). Two passes, one submit; the outputs are tensors over the workspace's buffers (valid until the next call).
 */
export function fusedTripletTerm(
  workspace: TripletWorkspace,
  z: tf.Tensor2D,
  triplets: TermTriplets,
  ids: Int32Array,
  temperature: number,
  scale: number | null,
): FusedTerm {
  const { device, n, q } = workspace
  const m = ids.length
  if (m > workspace.capacity || z.shape[0] !== n || z.shape[1] !== q) throw new RangeError(`the triplet workspace holds ${workspace.capacity} triplets of ${n} × ${q}; got ${m} of ${z.shape.join(' × ')}`)
  const tri = new Uint32Array(3 * m)
  const labels = triplets.soft ? new Float32Array(3 * m) : null
  ids.forEach((t, c) => {
    for (let r = 0; r < 3; r++) {
      tri[3 * c + r] = triplets.indices[3 * t + r]!
      if (labels) labels[3 * c + r] = triplets.soft![3 * t + r]!
    }
  })
  const source = bufferOf(device, z)
  device.queue.writeBuffer(workspace.tri, 0, tri)
  if (labels) device.queue.writeBuffer(workspace.labels, 0, labels)
  const [gx, gy] = grid(device, m)
  device.queue.writeBuffer(workspace.params, 0, Uint32Array.from([m, q, labels ? 1 : 0, gx, f32Bits(1 / temperature), f32Bits(scale ?? 0), 0, 0]))
  const passes: Pass[] = [
    { compute: pipeline(device, 'tripletTerm', TRIPLET_TERM_WGSL), buffers: [source.buffer, workspace.tri, workspace.labels, workspace.coef, workspace.stats, workspace.params], groups: [gx, gy] },
  ]
  if (scale !== null) {
    const { offsets, entries } = appearances(triplets.indices, ids, n)
    device.queue.writeBuffer(workspace.offsets, 0, offsets)
    device.queue.writeBuffer(workspace.entries, 0, entries)
    const [rows, layers] = grid(device, n)
    device.queue.writeBuffer(workspace.gradientParams, 0, Uint32Array.from([n, q, rows, 0, 0, 0, 0, 0]))
    const buffers = [source.buffer, workspace.tri, workspace.coef, workspace.offsets, workspace.entries, workspace.dz, workspace.gradientParams]
    passes.push({ compute: pipeline(device, 'tripletTermGradient', TRIPLET_TERM_GRADIENT_WGSL), buffers, groups: [Math.ceil(q / 64), rows, layers] })
  }
  dispatchPasses(device, passes)
  source.release()
  const perTriplet = tf.tensor({ buffer: workspace.stats, zeroCopy: true }, [m, 2], 'float32') as tf.Tensor2D
  const dz = scale !== null ? (tf.tensor({ buffer: workspace.dz, zeroCopy: true }, [n, q], 'float32') as tf.Tensor2D) : null
  const sums = tf.sum(perTriplet, 0) as tf.Tensor1D
  perTriplet.dispose()
  return { sums, dz }
}
