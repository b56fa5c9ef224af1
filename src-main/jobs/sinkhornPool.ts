// The Sinkhorn passes of a GW solve (sweeps, column sums, kernel fills) on several threads: the workspace lives in a
// shared WebAssembly.Memory, each helper runs its block of rows with its own instance of the kernels, and this thread
// runs the first block. A solve is synchronous and a sweep lasts about a millisecond, so the threads meet through
// Atomics on a small control block, not messages.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { CrossProduct } from '../core/gw/crossProduct'
import { canSolveOnGpu } from '../core/gw/gpuGw'
import { runBlock, sinkhornKernels, type RowPasses } from '../core/gw/wasm/sinkhornKernel'
import { builtWorker } from './builtWorker'
import { replies } from './gwProductPool'
import { MAX_BLOCKS, NUMBERS, OPS, PASS_FIELDS, SLOT, type SinkhornHelperSetup } from './sinkhornControl'

/** Below this many plan entries, meeting the helpers costs more than their share of a sweep. */
const SMALLEST = 256 * 256

/** A helper that has not finished its block in this long has stopped (a sweep of the largest plan takes seconds). */
const PATIENCE_MS = 60_000

export interface SinkhornPool extends RowPasses {
  dispose(): void
}

/** Sweeps are bound by memory bandwidth: beyond this many threads, more mostly add meetings. */
const DEFAULT_THREADS = 8

/**
 * Row passes on `threads` threads (this one and threads − 1 helpers; at most MAX_BLOCKS) for n × m plans; null where
 * one thread is as good (one core, or a small plan).
 */
export async function sinkhornPool(n: number, m: number, wanted = Math.min(availableParallelism(), DEFAULT_THREADS), workerFile = builtWorker('sinkhornWorker')): Promise<SinkhornPool | null> {
  const threads = Math.min(wanted, MAX_BLOCKS)
  if (threads < 2 || n * m < SMALLEST) return null
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65_536, shared: true })
  const control = new SharedArrayBuffer(NUMBERS + 8 * PASS_FIELDS.length)
  const ints = new Int32Array(control, 0, NUMBERS / 4)
  const numbers = new Float64Array(control, NUMBERS, PASS_FIELDS.length)
  const workers = Array.from({ length: threads - 1 }, (_, w) => new Worker(workerFile, { workerData: { memory, control, block: w + 1, blocks: threads } satisfies SinkhornHelperSetup }))
  try {
    await replies(workers)
  } catch (err) {
    await Promise.all(workers.map((w) => w.terminate()))
    throw err
  }
  const kernels = sinkhornKernels(memory)
  return {
    memory,
    blocks: threads,
    run(pass) {
      PASS_FIELDS.forEach((field, i) => (numbers[i] = pass[field]))
      ints[SLOT.op] = OPS.indexOf(pass.op)
      Atomics.store(ints, SLOT.done, 0)
      Atomics.add(ints, SLOT.generation, 1)
      Atomics.notify(ints, SLOT.generation)
      let out = runBlock(kernels, pass, 0, threads)
      for (let done = Atomics.load(ints, SLOT.done); done < threads - 1; done = Atomics.load(ints, SLOT.done)) {
        if (Atomics.wait(ints, SLOT.done, done, PATIENCE_MS) === 'timed-out') throw new Error('a Sinkhorn helper thread stopped answering')
      }
      if (ints[SLOT.failed]) throw new Error('a Sinkhorn helper thread failed (see its error above)')
      for (let b = 1; b < threads; b++) out |= ints[SLOT.flags + b]!
      return out
    },
    dispose: () => void Promise.all(workers.map((w) => w.terminate())),
  }
}

/** Helpers for the Sinkhorn passes of a solve with this product: none where the whole solve runs on the GPU. */
export function hostSinkhornPool(product: CrossProduct, n: number, m: number): Promise<SinkhornPool | null> {
  return canSolveOnGpu(product) ? Promise.resolve(null) : sinkhornPool(n, m)
}
