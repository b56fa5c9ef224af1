// C1 T C2ᵀ of a GW solve on several threads, for dense matrices on the CPU backends: each helper holds a block of
// C1's rows and all of C2ᵀ on its own backend (one thread each: the helpers take the cores) and multiplies its
// rows; the plan and the product are shared memory, so a step copies nothing between threads.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { BackendName } from '../core/compute/backendNames'
import { hostFactoredProduct, tfjsCrossProduct, transpose, type CrossProduct, type GwSide } from '../core/gw/crossProduct'
import { builtWorker } from './builtWorker'

export interface ProductSetup {
  /** C1 (n × n) and C2ᵀ (m × m), float32. */
  c1: SharedArrayBuffer
  c2t: SharedArrayBuffer
  /** The plan T (n × m) and the product X (n × m), float32. */
  plan: SharedArrayBuffer
  product: SharedArrayBuffer
  n: number
  m: number
  /** This helper's rows of C1 (and of X). */
  rows: [number, number]
  backend: BackendName
}

export type ProductMessage = { type: 'ready' } | { type: 'done' } | { type: 'failed'; message: string }

function sharedFloat32(values: ArrayLike<number>): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(values.length * 4)
  new Float32Array(buffer).set(values)
  return buffer
}

/** The answer of each helper to its next message. */
export function replies(workers: Worker[]): Promise<void> {
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const cleanup = () => {
            worker.off('message', onMessage)
            worker.off('error', onError)
          }
          const onMessage = (message: ProductMessage) => {
            cleanup()
            if (message.type === 'failed') reject(new Error(`a GW product thread failed: ${message.message}`))
            else resolve()
          }
          const onError = (err: Error) => {
            cleanup()
            reject(err)
          }
          worker.on('message', onMessage)
          worker.on('error', onError)
        }),
    ),
  ).then(() => undefined)
}

/**
 * C1 T C2ᵀ on `threads` helpers (the cores, by default) when both sides are dense and the backend is a CPU one;
 * through both sides' factors in float64 on a CPU backend; else on the backend of this thread (the GPU, or one
 * low-rank side, need no help).
 */
export async function gwCrossProduct(one: GwSide, two: GwSide, backend: BackendName, threads = availableParallelism(), workerFile = builtWorker('gwProductWorker')): Promise<CrossProduct> {
  const cpu = backend === 'wasm' || backend === 'cpu'
  if (cpu && one.factors && two.factors) return hostFactoredProduct({ ...one, factors: one.factors }, { ...two, factors: two.factors })
  if (one.factors || two.factors || (backend !== 'wasm' && backend !== 'cpu') || threads < 2 || one.n < 256) return tfjsCrossProduct(one, two)
  const [n, m] = [one.n, two.n]
  const common = { c1: sharedFloat32(one.c), c2t: sharedFloat32(transpose(two.c, m, m)), plan: new SharedArrayBuffer(n * m * 4), product: new SharedArrayBuffer(n * m * 4), n, m, backend }
  const per = Math.ceil(n / threads)
  const workers = Array.from({ length: threads }, (_, w) => new Worker(workerFile, { workerData: { ...common, rows: [Math.min(n, w * per), Math.min(n, (w + 1) * per)] } satisfies ProductSetup }))
  try {
    await replies(workers)
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()))
    throw err
  }
  const plan = new Float32Array(common.plan)
  const product = new Float32Array(common.product)
  // One result array for every step: a fresh 27 MB array (n = 1854) costs more to fault in than to fill.
  const result = new Float64Array(n * m)
  return {
    async multiply(t) {
      plan.set(t)
      const done = replies(workers)
      for (const worker of workers) worker.postMessage('multiply')
      await done
      result.set(product)
      return result
    },
    roundoff: 2 ** -24,
    dispose: () => void Promise.all(workers.map((w) => w.terminate())),
  }
}
