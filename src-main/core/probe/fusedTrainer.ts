// Probe training on webgpu with a whole step in tfjs's command stream (kernels/tfjsProgram.ts): Z = [Xs 1]·[W; bᵀ]
// (one product), the triplet term and dL/dZ (two kernels, kernels/tripletTerm.ts), [dW; dbᵀ] = [Xs 1]ᵀ dZ (one
// product), then two kernels for the regulariser, the gradient-norm clipping and Adam, which update W, b and the
// moments in place in one buffer of ours. Six dispatches a step, no read-back, no upload and no submit of its own:
// an epoch's triplets and their CSR lists go up at once, and its loss and accuracy sums are read once. The same
// step in tfjs ops took 67 dispatches, and on an H100 a step's time was that per-dispatch overhead, not GPU work.
// The products' dimensions (p + 1, n and q) are padded with zeros to multiples of 4: tfjs-webgpu runs its vec4
// product only then, and the scalar one took 1.7× as long on the THINGS shapes (1854 × 769 · 769 × 768, SwiftShader).
import * as tf from '@tensorflow/tfjs-core'
import { flushTfjs, readFloat32, tfjsGpuDevice, uploadBuffer, vec4Size } from '../compute/kernels/gpu'
import { PROBE_ADAM_WGSL, PROBE_GRADIENT_NORMS_WGSL } from '../compute/kernels/shaders'
import { runKernel, runKernelInPlace, scalarUniforms, type KernelSpec } from '../compute/kernels/tfjsProgram'
import { batchTripletTerm, termBatches, type TermBatches } from '../compute/kernels/tripletTerm'
import { evaluateOnDevice, tripletKlConstant } from './deviceTerm'
import type { TripletTerm, Triplets } from './objective'
import type { ProbeConfig } from './train'

// PyTorch's (and gLocal's) Adam constants, as the tfjs route uses them.
const BETA1 = 0.9
const BETA2 = 0.999
const EPSILON = 1e-8
const GROUP = 256
/** Triplets uploaded at once: an epoch's batches up to about this many (12 MB of indices and 12 MB of CSR lists). */
const SEGMENT_TRIPLETS = 1 << 20

const NORMS: Omit<KernelSpec, 'groups'> = {
  key: 'humanalignProbeGradientNorms',
  inputs: ['w', 'g'],
  workgroupSize: GROUP,
  uniforms: 'p: i32, q: i32, rows: i32, identity: i32, lambda: f32,',
  code: PROBE_GRADIENT_NORMS_WGSL,
}

const ADAM: Omit<KernelSpec, 'groups'> = {
  key: 'humanalignProbeAdam',
  inputs: ['partials', 'g', 'term'],
  workgroupSize: GROUP,
  uniforms:
    'p: i32, q: i32, rows: i32, identity: i32, groups: i32, batch: i32, lambda: f32, clipNorm: f32, learningRate: f32, beta1: f32, beta2: f32, epsilon: f32, inv1: f32, inv2: f32, lossScale: f32, lossConstant: f32,',
  code: PROBE_ADAM_WGSL,
}

export interface FusedTrainer {
  /** Adam steps on the training triplets `order`, `batch` at a time. */
  epoch(order: Int32Array, batch: number): void
  /** [Σ loss × batch size, Σ correct] over the steps since the last call. */
  takeSums(): Promise<[number, number]>
  evaluate(triplets: Triplets): Promise<TripletTerm>
  weights(): Promise<{ w: Float32Array; b: Float32Array }>
  dispose(): void
}

/** Whether a training runs as a FusedTrainer: the triplet term on webgpu, no gLocal local term (tfjs autodiff). */
export function canTrainFused(config: ProbeConfig): boolean {
  return tf.getBackend() === 'webgpu' && config.tripletsOn !== 'host' && config.objective !== 'glocal'
}

/**
 * xs: the standardised features (n × p); W starts as initScale · I (p × q), b as 0. An epoch's triplet indices and
 * CSR lists go up in segments of whole batches, of about `segment` triplets.
 */
export function createFusedTrainer(xs: Float32Array, n: number, p: number, q: number, train: Triplets, config: ProbeConfig, segment = SEGMENT_TRIPLETS): FusedTrainer {
  if (config.objective === 'soft' && !train.soft) throw new RangeError('the soft objective needs soft labels')
  const device = tfjsGpuDevice()
  // [Xs 1 0…] is objects × rows, objects ≥ n and rows ≥ p + 1 zero; θ = [W; bᵀ] is rows × cols, zero past b and
  // past column q. The padding of θ gets zero gradients (and no regulariser), so it stays 0 and Z's columns past q too.
  const rows = vec4Size(p + 1)
  const objects = vec4Size(n)
  const cols = vec4Size(q)
  const size = rows * cols
  const groups = Math.ceil(size / GROUP)
  const state = new Float32Array(3 * size + 2)
  for (let d = 0; d < Math.min(p, q); d++) state[d * cols + d] = config.initScale
  const buffer = uploadBuffer(device, state, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC)
  // θ as a tensor over the front of our buffer; the kernels see (and update) the whole buffer.
  const parameters = tf.tensor({ buffer, zeroCopy: true }, [rows, cols], 'float32') as tf.Tensor2D
  const augmented = new Float32Array(objects * rows)
  for (let i = 0; i < n; i++) {
    augmented.set(xs.subarray(i * p, (i + 1) * p), i * rows)
    augmented[i * rows + p] = 1
  }
  const x = tf.tensor2d(augmented, [objects, rows])
  // An explicit transpose, made once (a product with a transposed operand flag is slower in tfjs).
  const xt = tf.transpose(x)
  const identity = config.regularizer === 'identity' && p === q ? 1 : 0
  const soft = config.objective === 'soft'
  const labels = { indices: train.indices, soft: soft ? train.soft : null }
  // The soft objective's KL constant per triplet, summed per batch on the host.
  const constants = soft ? Float64Array.from({ length: train.count }, (_, t) => tripletKlConstant(train.soft!, t)) : null
  let steps = 0
  let disposed = false

  /** One Adam step on batch `index` of `batches`, the training triplets `ids`. */
  const step = (batches: TermBatches, index: number, ids: Int32Array) => {
    steps++
    const m = ids.length
    let constant = 0
    if (constants) for (const t of ids) constant += constants[t]!
    const z = tf.matMul(x, parameters) as tf.Tensor2D
    const { term, dz } = batchTripletTerm(z, batches, index, soft, config.temperature, 1 / (m * config.temperature))
    const g = tf.matMul(xt, dz!)
    const partials = runKernel({ ...NORMS, groups }, [parameters, g], [groups + 1, 2], scalarUniforms([['int32', p], ['int32', cols], ['int32', rows], ['int32', identity], ['float32', config.lambda]]))
    const uniforms = scalarUniforms([
      ['int32', p],
      ['int32', cols],
      ['int32', rows],
      ['int32', identity],
      ['int32', groups],
      ['int32', m],
      ['float32', config.lambda],
      ['float32', config.clipNorm],
      ['float32', config.learningRate],
      ['float32', BETA1],
      ['float32', BETA2],
      ['float32', EPSILON],
      ['float32', 1 / (1 - BETA1 ** steps)],
      ['float32', 1 / (1 - BETA2 ** steps)],
      ['float32', 1 / m],
      ['float32', constant / m],
    ])
    runKernelInPlace({ ...ADAM, groups }, [partials, g, term], parameters, uniforms)
    tf.dispose([z, term, dz!, g, partials])
  }

  return {
    epoch(order, batch) {
      const size = batch * Math.max(1, Math.floor(segment / batch))
      for (let from = 0; from < order.length; from += size) {
        const part = order.subarray(from, Math.min(order.length, from + size))
        // Z has `objects` rows (n padded): the CSR lists cover them all.
        const batches = termBatches(labels, part, batch, objects, true)
        for (let k = 0; k + 1 < batches.starts.length; k++) step(batches, k, part.subarray(batches.starts[k], batches.starts[k + 1]))
        batches.dispose()
      }
    },
    async takeSums() {
      flushTfjs()
      const [loss, correct] = await readFloat32(device, buffer, 2, 3 * size)
      device.queue.writeBuffer(buffer, 4 * 3 * size, new Float32Array(2))
      return [loss!, correct!]
    },
    async evaluate(triplets) {
      const z = tf.matMul(x, parameters) as tf.Tensor2D
      try {
        return await evaluateOnDevice(z, triplets, config)
      } finally {
        z.dispose()
      }
    },
    async weights() {
      flushTfjs()
      const values = await readFloat32(device, buffer, (p + 1) * cols)
      const w = new Float32Array(p * q)
      for (let r = 0; r < p; r++) w.set(values.subarray(r * cols, r * cols + q), r * q)
      return { w, b: values.slice(p * cols, p * cols + q) }
    },
    dispose() {
      if (disposed) return
      disposed = true
      tf.dispose([parameters, x, xt])
      // tfjs may still hold recorded commands that read the buffer: submit them before it goes.
      flushTfjs()
      buffer.destroy()
    },
  }
}
