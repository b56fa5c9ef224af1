// Entropic GW with every n × m array on the GPU (webgpu): the plan, the cost and the Sinkhorn kernel stay in GPU
// buffers for the whole solve; C1 T C2ᵀ is TF.js's matMul on the same device, reading the plan's buffer as a
// tensor without a copy; our WGSL kernels (gwShaders.ts) turn the product into the cost and the plan's loss, and run
// the absorbed Sinkhorn iterations of sinkhorn.ts (potentials warm-started from the last outer step). The host
// reads back a few numbers per Sinkhorn block and per outer step. Float32 throughout: the Sinkhorn tolerance has a
// floor of 1e-5 ‖b‖₂ (float32 sums over n terms cannot resolve marginals more finely). Where K underflows a whole
// row or column (small ε, a cost that moved far), the potentials are balanced again by log-domain steps on the GPU;
// a solve that still overflows is redone on the host in the log domain.
import * as tf from '@tensorflow/tfjs'
import { dispatchPasses, f32Bits, grid, pipeline, readFloat32, tfjsGpuDevice, uploadBuffer, type Pass } from '../compute/kernels/gpu'
import type { CrossProduct } from './crossProduct'
import { productPlan } from './marginals'
import type { GwOptions, GwResult } from './entropicGw'
import { GW_ABSORB_WGSL, GW_CHANGE_WGSL, GW_CLEAR_WGSL, GW_COLUMN_SOFTMIN_WGSL, GW_ROW_SOFTMIN_WGSL, GW_SCALE_WGSL, GW_COLUMN_MIN_WGSL, GW_COLUMN_PARTIAL_WGSL, GW_COLUMN_UPDATE_WGSL, GW_COST_WGSL, GW_FILL_WGSL, GW_REDUCE_WGSL, GW_ROW_MIN_WGSL, GW_ROW_UPDATE_WGSL } from './gwShaders'
import { MOMENTUM_START, MOMENTUM_WINDOW, momentumWeight, sinkhornLog } from './sinkhorn'

/**
 * Sinkhorn iterations between two readbacks of the errors: 4 at first (a warm-started solve often needs no more),
 * doubling up to 64 while a solve goes on, so a long one waits on few readbacks.
 */
const BLOCKS = { first: 4, last: 64 }
/** Log-domain steps that balance the potentials again after an overflow. */
const ANCHOR_STEPS = 20
/** Rows per chunk of the column sums. */
const CHUNK_ROWS = 64
/** Where the reductions put their sums. */
const SLOT = { loss: 0, columnError: 1, rowError: 2, change: 3, size: 4 } as const

/** A product that can multiply a plan held as a tensor on the backend (tfjsCrossProduct). */
export type TensorCrossProduct = CrossProduct & { multiplyTensor(plan: tf.Tensor2D): tf.Tensor2D }

export const canSolveOnGpu = (product: CrossProduct | undefined): product is TensorCrossProduct =>
  tf.getBackend() === 'webgpu' && product !== undefined && 'multiplyTensor' in product

interface Workspace {
  device: GPUDevice
  n: number
  m: number
  plans: [GPUBuffer, GPUBuffer]
  cost: GPUBuffer
  vectors: Record<'a' | 'b' | 'left' | 'right' | 'f' | 'g' | 'u' | 'v' | 'columnErrors' | 'rowErrors', GPUBuffer>
  columnPartials: GPUBuffer
  partials: GPUBuffer
  scalars: GPUBuffer
  /** Set when a scaling leaves [1e-3, 1e3]: the potentials take the scalings in and K is filled again. */
  flag: GPUBuffer
  /** Uniforms by use: each pass of a command buffer reads its own, so one submit can mix them. */
  uniforms: Map<string, GPUBuffer>
}

function workspace(n: number, m: number, p: Float64Array, q: Float64Array, left: Float64Array, right: Float64Array): Workspace {
  const device = tfjsGpuDevice()
  const storage = (floats: number, extra = 0) => device.createBuffer({ size: Math.max(16, 4 * floats), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST | extra })
  const upload = (values: Float64Array) => uploadBuffer(device, Float32Array.from(values), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC)
  const groups = Math.ceil((n * m) / 256)
  return {
    device,
    n,
    m,
    plans: [storage(n * m), storage(n * m)],
    cost: storage(n * m),
    vectors: {
      a: upload(p),
      b: upload(q),
      left: upload(left),
      right: upload(right),
      f: storage(n),
      g: storage(m),
      u: storage(n),
      v: storage(m),
      columnErrors: storage(m),
      rowErrors: storage(n),
    },
    columnPartials: storage(Math.ceil(n / CHUNK_ROWS) * m),
    partials: storage(2 * groups),
    scalars: storage(8),
    flag: storage(4),
    uniforms: new Map(),
  }
}

function destroy(w: Workspace): void {
  for (const buffer of [...w.plans, w.cost, ...Object.values(w.vectors), w.columnPartials, w.partials, w.scalars, w.flag, ...w.uniforms.values()]) buffer.destroy()
}

interface Params {
  gx?: number
  update?: boolean
  eps?: number
  rows?: number
  count?: number
  slot?: number
  offset?: number
  omega?: number
}

/** The uniform block for one use, made once and rewritten only when its values change. */
function uniform(w: Workspace, key: string, params: Params): GPUBuffer {
  // Params in gwShaders.ts, padded to 48 bytes (a uniform block's size is a multiple of 16).
  const words = Uint32Array.from([params.offset ?? w.n, w.m, params.gx ?? 0, params.update ? 1 : 0, f32Bits(params.eps ?? 0), params.rows ?? 0, params.count ?? 0, params.slot ?? 0, f32Bits(params.omega ?? 1), 0, 0, 0])
  let buffer = w.uniforms.get(key)
  if (!buffer) {
    buffer = uploadBuffer(w.device, words, GPUBufferUsage.UNIFORM)
    w.uniforms.set(key, buffer)
  } else w.device.queue.writeBuffer(buffer, 0, words)
  return buffer
}

/** A uniform whose n field is the offset of a reduction (the reduce kernel reads n as where its values start). */
function reduce(w: Workspace, key: string, values: GPUBuffer, count: number, slot: number, offset = 0, stride = 1): Pass {
  const params = uniform(w, key, { offset, rows: stride, count, slot })
  return { compute: pipeline(w.device, 'gwReduce', GW_REDUCE_WGSL), buffers: [values, w.scalars, params], groups: [1, 1] }
}

/** Passes over all n × m entries, 256 per workgroup. */
function elementGroups(w: Workspace): [number, number] {
  return grid(w.device, Math.ceil((w.n * w.m) / 256))
}

/** The cost 2 tens(T) of plan `from` into w.cost, and its loss Σ tens ∘ T into scalars[loss]. */
async function costOf(w: Workspace, product: TensorCrossProduct, from: number): Promise<void> {
  const { device, n, m } = w
  const plan = tf.tensor({ buffer: w.plans[from]!, zeroCopy: true }, [n, m], 'float32') as tf.Tensor2D
  const x = product.multiplyTensor(plan)
  const data = x.dataToGPU()
  const [gx, gy] = elementGroups(w)
  const v = w.vectors
  dispatchPasses(device, [
    { compute: pipeline(device, 'gwCost', GW_COST_WGSL), buffers: [data.buffer!, w.plans[from]!, v.left, v.right, w.cost, w.partials, uniform(w, 'cost', { gx })], groups: [gx, gy] },
    reduce(w, 'loss', w.partials, gx * gy, SLOT.loss),
  ])
  data.tensorRef.dispose()
  tf.dispose([x, plan])
}

async function scalars(w: Workspace): Promise<Float32Array> {
  return readFloat32(w.device, w.scalars, 8)
}

/** The c-transform start of the potentials (no earlier solve to warm-start from). */
function coldStart(w: Workspace): Pass[] {
  const { device, n, m } = w
  const v = w.vectors
  const [rx, ry] = grid(device, n)
  return [
    { compute: pipeline(device, 'gwRowMin', GW_ROW_MIN_WGSL), buffers: [w.cost, v.f, uniform(w, 'rowMin', { gx: rx })], groups: [rx, ry] },
    { compute: pipeline(device, 'gwColumnMin', GW_COLUMN_MIN_WGSL), buffers: [w.cost, v.f, v.g, uniform(w, 'columnMin', {})], groups: [Math.ceil(m / 256), 1] },
  ]
}

/**
 * The absorbed Sinkhorn in GPU buffers: K from the potentials in buffer `to`, iterations in blocks between readbacks
 * of the errors, scalings absorbed when they leave [1e-3, 1e3]; at the end the plan u K v in that buffer and the
 * scalings absorbed, so the potentials warm-start the next solve.
 */
async function sinkhorn(w: Workspace, to: number, epsilon: number, tolerance: number, maxIterations: number, warm: boolean): Promise<{ iterations: number; converged: boolean; finite: boolean; anchored: number }> {
  const { device, n, m } = w
  const v = w.vectors
  const kernel = w.plans[to]!
  const chunks = Math.ceil(n / CHUNK_ROWS)
  const [gx, gy] = elementGroups(w)
  const [rx, ry] = grid(device, n)
  const fill = (always: boolean): Pass => ({
    compute: pipeline(device, 'gwFill', GW_FILL_WGSL),
    buffers: [w.cost, v.f, v.g, kernel, w.flag, uniform(w, always ? 'fill' : 'fillIfFlagged', { gx, eps: epsilon, update: always })],
    groups: [gx, gy],
  })
  const absorb = (always: boolean): Pass => ({
    compute: pipeline(device, 'gwAbsorb', GW_ABSORB_WGSL),
    buffers: [v.u, v.v, v.f, v.g, w.flag, uniform(w, always ? 'absorb' : 'absorbIfFlagged', { eps: epsilon, update: always })],
    groups: [Math.ceil(Math.max(n, m) / 256), 1],
  })
  const clear: Pass = { compute: pipeline(device, 'gwClear', GW_CLEAR_WGSL), buffers: [w.flag], groups: [1, 1] }
  const columns = (update: boolean, omega = 1): Pass[] => [
    { compute: pipeline(device, 'gwColumnPartial', GW_COLUMN_PARTIAL_WGSL), buffers: [kernel, v.u, w.columnPartials, uniform(w, 'columnPartial', { rows: CHUNK_ROWS })], groups: [Math.ceil(m / 256), chunks] },
    { compute: pipeline(device, 'gwColumnUpdate', GW_COLUMN_UPDATE_WGSL), buffers: [w.columnPartials, v.b, v.v, v.columnErrors, w.flag, uniform(w, update ? 'columnUpdate' : 'columnMeasure', { update, count: chunks, omega })], groups: [Math.ceil(m / 256), 1] },
  ]
  const rows = (update: boolean, omega = 1): Pass => ({
    compute: pipeline(device, 'gwRowUpdate', GW_ROW_UPDATE_WGSL),
    buffers: [kernel, v.v, v.a, v.u, v.rowErrors, w.flag, uniform(w, update ? 'rowUpdate' : 'rowMeasure', { gx: rx, update, omega })],
    groups: [rx, ry],
  })
  /** One iteration; every iteration of a submit has the same ω (the update passes' uniforms hold it). */
  const iteration = (omega: number): Pass[] => [...columns(true, omega), rows(true, omega), absorb(false), fill(false), clear]
  const measure: Pass[] = [...columns(false), rows(false), reduce(w, 'columnError', v.columnErrors, m, SLOT.columnError), reduce(w, 'rowError', v.rowErrors, n, SLOT.rowError)]
  const finish = () => dispatchPasses(device, [{ compute: pipeline(device, 'gwScale', GW_SCALE_WGSL), buffers: [v.u, v.v, kernel, uniform(w, 'scale', { gx })], groups: [gx, gy] }, absorb(true)])
  const softmin: Pass[] = [
    { compute: pipeline(device, 'gwColumnSoftmin', GW_COLUMN_SOFTMIN_WGSL), buffers: [w.cost, v.f, v.b, v.g, uniform(w, 'columnSoftmin', { eps: epsilon })], groups: [Math.ceil(m / 256), 1] },
    { compute: pipeline(device, 'gwRowSoftmin', GW_ROW_SOFTMIN_WGSL), buffers: [w.cost, v.g, v.a, v.f, uniform(w, 'rowSoftmin', { gx: rx, eps: epsilon })], groups: [rx, ry] },
  ]
  /** u = v = 1 and K from the potentials, measured; `anchor`: the potentials first from the c-transforms and log-domain steps. */
  const restart = (start: Pass[]) => {
    device.queue.writeBuffer(v.u, 0, new Float32Array(n).fill(1))
    device.queue.writeBuffer(v.v, 0, new Float32Array(m).fill(1))
    dispatchPasses(device, [clear, ...start, fill(true), ...measure])
  }
  // Where K underflowed in a whole row or column, the scalings overflow: the potentials are then set anew from the
  // c-transforms and balanced by log-domain steps (no underflow there), and the absorbed iterations go on.
  const anchor = () => [...coldStart(w), ...Array.from({ length: ANCHOR_STEPS }, () => softmin).flat()]
  restart(warm ? [] : coldStart(w))
  let iterations = 0
  let block = BLOCKS.first
  let anchored = 0
  // Momentum as sinkhorn.ts has it, decided at readbacks: the errors are read at iterations 10 and 20 (blocks end
  // there), ω from their ratio; back to plain when the error has not fallen over twice the window, and for the last
  // iteration (one) once the columns fit, so the rows are exact at the end.
  let omega = 1
  let momentumFrom: number | null = null
  const measured: { iteration: number; error: number }[] = []
  const before = (iteration: number) => measured.findLast((x) => x.iteration <= iteration)
  for (;;) {
    const numbers = await scalars(w)
    const [columnError, rowError] = [Math.sqrt(numbers[SLOT.columnError]!), Math.sqrt(numbers[SLOT.rowError]!)]
    if (!Number.isFinite(columnError) || !Number.isFinite(rowError)) {
      if (anchored++ === 2) return { iterations, converged: false, finite: false, anchored }
      restart(anchor())
      iterations += ANCHOR_STEPS
      block = BLOCKS.first
      // After the log-domain steps, plain iterations only.
      omega = 1
      momentumFrom = iterations
      continue
    }
    const plainLast = omega === 1
    const converged = columnError <= tolerance && rowError <= tolerance && plainLast
    if (converged || iterations >= maxIterations) {
      finish()
      return { iterations, converged, finite: true, anchored }
    }
    measured.push({ iteration: iterations, error: columnError })
    if (columnError <= tolerance) omega = 1
    else if (momentumFrom === null && iterations >= MOMENTUM_START) {
      const start = before(iterations - MOMENTUM_WINDOW)!
      omega = momentumWeight((columnError / start.error) ** (1 / (iterations - start.iteration)))
      momentumFrom = iterations
    } else if (omega !== 1) {
      const start = before(iterations - 2 * MOMENTUM_WINDOW)!
      if (start.iteration >= momentumFrom! && !(columnError < start.error)) omega = 1
    }
    const mark = momentumFrom === null ? [MOMENTUM_START - MOMENTUM_WINDOW, MOMENTUM_START].find((t) => t > iterations) : undefined
    const steps = !plainLast && omega === 1 && columnError <= tolerance ? 1 : Math.min(block, maxIterations - iterations, (mark ?? Infinity) - iterations)
    block = Math.min(2 * block, BLOCKS.last)
    const passes: Pass[] = []
    for (let s = 0; s < steps; s++) passes.push(...iteration(omega))
    passes.push(...measure)
    dispatchPasses(device, passes)
    iterations += steps
  }
}

/** The plan of buffer `index` into the host, as float64. */
async function planOf(w: Workspace, index: number): Promise<Float64Array> {
  return Float64Array.from(await readFloat32(w.device, w.plans[index]!, w.n * w.m))
}

/**
 * Redoes a solve whose float32 scalings overflowed, on the host in the log domain (stable at any ε), and puts its
 * plan and potentials back on the GPU.
 */
async function hostSolve(w: Workspace, to: number, p: Float64Array, q: Float64Array, options: GwOptions, tolerance: number): Promise<{ iterations: number; converged: boolean }> {
  const cost = Float64Array.from(await readFloat32(w.device, w.cost, w.n * w.m))
  const solved = sinkhornLog(p, q, cost, { epsilon: options.epsilon, maxIterations: options.sinkhornIterations, tolerance })
  w.device.queue.writeBuffer(w.plans[to]!, 0, Float32Array.from(solved.plan))
  w.device.queue.writeBuffer(w.vectors.f, 0, Float32Array.from(solved.f))
  w.device.queue.writeBuffer(w.vectors.g, 0, Float32Array.from(solved.g))
  return solved
}

/**
 * entropicGw's outer loop (the same stopping rules and callbacks) with the arrays on the GPU. `left` and `right`
 * are constC's parts: constC_ij = left_i + right_j.
 */
export async function entropicGwGpu(left: Float64Array, right: Float64Array, product: TensorCrossProduct, p: Float64Array, q: Float64Array, options: GwOptions, settle: (error: number, norm: number, loss: number) => boolean): Promise<GwResult> {
  const [n, m] = [p.length, q.length]
  const w = workspace(n, m, p, q, left, right)
  try {
    let norm = 0
    for (const x of q) norm += x * x
    const tolerance = Math.max(options.sinkhornTolerance, 1e-5 * Math.sqrt(norm))
    const start = new Float32Array(options.init ?? productPlan(p, q))
    w.device.queue.writeBuffer(w.plans[0], 0, start)
    let current = 0
    let [error, iterations, sinkhornIterations, unconvergedSinkhorn] = [1, 0, 0, 0]
    let [hostSolves, rebalancedSolves] = [0, 0]
    let warm = false
    let settled = false
    while (error > options.tolerance && !settled && iterations < options.maxIterations) {
      await costOf(w, product, current)
      const startLoss = (await scalars(w))[SLOT.loss]!
      const next = 1 - current
      let solved = await sinkhorn(w, next, options.epsilon, tolerance, options.sinkhornIterations, warm)
      if (!solved.finite) {
        solved = { ...(await hostSolve(w, next, p, q, options, tolerance)), finite: true, anchored: solved.anchored }
        hostSolves++
      }
      warm = true
      if (solved.anchored) rebalancedSolves++
      sinkhornIterations += solved.iterations
      if (!solved.converged) unconvergedSinkhorn++
      if (iterations % 10 === 0) {
        const [gx, gy] = elementGroups(w)
        dispatchPasses(w.device, [
          { compute: pipeline(w.device, 'gwChange', GW_CHANGE_WGSL), buffers: [w.plans[next]!, w.plans[current]!, w.partials, uniform(w, 'change', { gx })], groups: [gx, gy] },
          reduce(w, 'changeSum', w.partials, gx * gy, SLOT.change, 0, 2),
          reduce(w, 'sizeSum', w.partials, gx * gy, SLOT.size, 1, 2),
        ])
        const numbers = await scalars(w)
        error = Math.sqrt(numbers[SLOT.change]!)
        settled = settle(error, Math.sqrt(numbers[SLOT.size]!), startLoss)
      }
      current = next
      iterations++
      await options.iteration?.(iterations, error, startLoss)
    }
    await costOf(w, product, current)
    const loss = (await scalars(w))[SLOT.loss]!
    return { plan: await planOf(w, current), loss, iterations, converged: error <= options.tolerance || settled, logDomain: true, sinkhornIterations, unconvergedSinkhorn, hostSolves, rebalancedSolves }
  } finally {
    destroy(w)
  }
}
