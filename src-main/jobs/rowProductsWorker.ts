// A helper thread of an RDM's products (rowProductsPool.ts): it takes stripes of rows from the shared counter until
// none is left, computes them in the shared memory, writes their entries into the shared output and marks each done.
import { parentPort, workerData } from 'node:worker_threads'
import { rowProductKernels, runStripes } from '../core/metrics/rowProducts'
import type { RowProductsHelperSetup } from './rowProductsPool'

const port = parentPort
if (!port) throw new Error('rowProductsWorker must run in a worker thread')
const { memory, plan, output, control, thread } = workerData as RowProductsHelperSetup
const [next, done] = [new Int32Array(control, 0, 1), new Int32Array(control, 4, plan.stripes)]
try {
  runStripes(rowProductKernels(memory), memory, plan, thread, () => Atomics.add(next, 0, 1), new Float64Array(output), (s) => Atomics.store(done, s, 1))
  port.postMessage({ type: 'done' })
} catch (err) {
  port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
}
