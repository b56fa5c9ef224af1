// A helper thread of a GW solve: it multiplies its block of C1's rows by the shared plan and by C2ᵀ on its own
// TF.js backend, writing its rows of C1 T C2ᵀ into shared memory (gwProductPool.ts).
import * as tf from '@tensorflow/tfjs'
import { parentPort, workerData } from 'node:worker_threads'
import { chooseBackend } from '../core/compute/backend'
import { setWasmThreads } from '../core/compute/wasmThreads'
import type { ProductMessage, ProductSetup } from './gwProductPool'

const port = parentPort
if (!port) throw new Error('gwProductWorker must run in a worker thread')
const { c1, c2t, plan, product, n, m, rows, backend } = workerData as ProductSetup
const [start, end] = rows
const reply = (message: ProductMessage) => port.postMessage(message)

async function main(): Promise<void> {
  // One helper per core already.
  setWasmThreads(1)
  await chooseBackend({ force: backend })
  const block = tf.tensor2d(new Float32Array(c1, start * n * 4, (end - start) * n), [end - start, n])
  const right = tf.tensor2d(new Float32Array(c2t), [m, m])
  const t = new Float32Array(plan)
  const out = new Float32Array(product, start * m * 4, (end - start) * m)
  port!.on('message', () => {
    try {
      if (end > start) {
        const x = tf.tidy(() => tf.matMul(tf.matMul(block, tf.tensor2d(t, [n, m])), right))
        out.set(x.dataSync() as Float32Array)
        x.dispose()
      }
      reply({ type: 'done' })
    } catch (err) {
      reply({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
    }
  })
  reply({ type: 'ready' })
}

main().catch((err: unknown) => reply({ type: 'failed', message: err instanceof Error ? err.message : String(err) }))
