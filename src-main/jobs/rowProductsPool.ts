// An RDM's products (core/metrics/rowProducts.ts) on every core: the rows are written once into a shared
// WebAssembly.Memory, helper threads start and this thread begins at once, each taking the next stripe of rows from
// a shared counter, so a helper that starts late takes fewer. Any stripe a helper took and did not finish (it
// failed) is computed here after, so the result never depends on the helpers.
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { comparedRows, rdmFromProducts, rowProductFor, type RdmMeasure } from '../core/metrics/rdm'
import { loadRows, pagesOf, planStripes, rowProductKernels, runStripes, upperRowProducts, type RowProduct, type StripePlan } from '../core/metrics/rowProducts'
import { builtWorker } from './builtWorker'

export interface RowProductsHelperSetup {
  memory: WebAssembly.Memory
  plan: StripePlan
  /** The n × n float64 output. */
  output: SharedArrayBuffer
  /** Int32: the next stripe, then a done flag per stripe. */
  control: SharedArrayBuffer
  /** Which stripe buffer of the plan is the helper's. */
  thread: number
}

/** Below this many multiply-adds (n²p/2; about 300 objects × 768) a helper's start costs more than its share saves. */
const SMALLEST = 3e7

/** Ended helpers: a failure is told but not thrown (this thread finishes their stripes). */
function ended(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const finish = (why?: string) => {
      if (why) console.warn(`an RDM helper thread stopped (${why}); its rows are computed on the main thread`)
      void worker.terminate()
      resolve()
    }
    worker.once('message', (m: { type: 'done' } | { type: 'failed'; message: string }) => finish(m.type === 'failed' ? m.message : undefined))
    worker.once('error', (err) => finish(err.message))
  })
}

/** upperRowProducts on `threads` threads (this one and threads − 1 helpers); on this one alone when that is as good. */
export async function upperRowProductsOnCores(rows: Float64Array, n: number, p: number, product: RowProduct, threads = availableParallelism(), workerFile = builtWorker('rowProductsWorker')): Promise<Float64Array<ArrayBufferLike>> {
  if (threads < 2 || (n * n * p) / 2 < SMALLEST || !existsSync(workerFile)) return upperRowProducts(rows, n, p, product)
  const plan = planStripes(n, p, product, Math.min(threads, Math.ceil(n / 2)))
  const memory = new WebAssembly.Memory({ initial: pagesOf(plan), maximum: pagesOf(plan), shared: true })
  loadRows(memory, plan, rows)
  const output = new SharedArrayBuffer(8 * n * n)
  const control = new SharedArrayBuffer(4 * (1 + plan.stripes))
  const [next, done] = [new Int32Array(control, 0, 1), new Int32Array(control, 4, plan.stripes)]
  const helpers = plan.buffersAt.slice(1).map((_, h) => new Worker(workerFile, { workerData: { memory, plan, output, control, thread: h + 1 } satisfies RowProductsHelperSetup }))
  const out = new Float64Array(output)
  const kernels = rowProductKernels(memory)
  runStripes(kernels, memory, plan, 0, () => Atomics.add(next, 0, 1), out, (s) => Atomics.store(done, s, 1))
  await Promise.all(helpers.map(ended))
  const left = Array.from({ length: plan.stripes }, (_, s) => s).filter((s) => Atomics.load(done, s) === 0)
  let at = 0
  runStripes(kernels, memory, plan, 0, () => (at < left.length ? left[at++]! : plan.stripes), out)
  return out
}

/** rdmFromFeatures on every core: the same matrix to the bit. */
export async function rdmFromFeaturesOnCores(x: Float32Array | Float64Array, n: number, p: number, measure: RdmMeasure, threads?: number, workerFile?: string): Promise<Float64Array<ArrayBuffer>> {
  const products = await upperRowProductsOnCores(comparedRows(x, n, p, measure), n, p, rowProductFor(measure), threads, workerFile)
  // Products in shared memory go into a plain array: what the caller keeps, posts or writes is never shared.
  const into = products.buffer instanceof ArrayBuffer ? new Float64Array(products.buffer, products.byteOffset, products.length) : new Float64Array(n * n)
  return rdmFromProducts(products, n, measure, into)
}
