// Bootstrap resamples of an RSA correlated on several threads. The resamples are drawn in order from one random
// stream by the caller, so the result does not depend on how many threads there are.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { CorrelationMethod } from '../core/metrics/correlation'
import { RsaResampler } from '../core/metrics/rsa'
import { builtWorker } from './builtWorker'

export interface BootstrapSetup {
  a: SharedArrayBuffer
  b: SharedArrayBuffer
  n: number
  method: CorrelationMethod
}
export interface BootstrapRequest {
  id: number
  resamples: Uint16Array
}
export interface BootstrapReply {
  id: number
  values: Float64Array
}

function shared(values: ArrayLike<number>): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(values.length * 8)
  new Float64Array(buffer).set(values)
  return buffer
}

/** Threads that pay off: one per core, at most 8 (the passes are memory-bound). */
export function bootstrapThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()))
}

export class BootstrapPool {
  private next = 0
  private readonly pending = new Map<number, { resolve: (v: Float64Array) => void; reject: (e: Error) => void }>()

  private constructor(
    private readonly workers: Worker[],
    private readonly inline: RsaResampler | null,
  ) {
    for (const worker of workers) {
      worker.on('message', ({ id, values }: BootstrapReply) => {
        this.pending.get(id)?.resolve(values)
        this.pending.delete(id)
      })
      worker.on('error', (err) => this.failAll(err))
      worker.on('exit', (code) => code !== 0 && this.failAll(new Error(`a bootstrap thread stopped (exit code ${code})`)))
    }
  }

  /**
   * Helpers for RDMs a and b (n × n). With one thread the resamples are correlated here; `workerFile` is the
   * built bootstrapWorker.js (beside this bundle by default).
   */
  static create(a: ArrayLike<number>, b: ArrayLike<number>, n: number, method: CorrelationMethod, threads = bootstrapThreads(), workerFile = builtWorker('bootstrapWorker')): BootstrapPool {
    if (threads <= 1) return new BootstrapPool([], new RsaResampler(a, b, n, method))
    const setup: BootstrapSetup = { a: shared(a), b: shared(b), n, method }
    return new BootstrapPool(Array.from({ length: threads }, () => new Worker(workerFile, { workerData: setup })), null)
  }

  get threads(): number {
    return Math.max(1, this.workers.length)
  }

  /** The correlation of each resample (n object counts each), in order, split evenly over the threads. */
  async correlate(resamples: Uint16Array, n: number): Promise<Float64Array> {
    if (this.inline) return this.inline.correlateResamples(resamples)
    const count = resamples.length / n
    const per = Math.ceil(count / this.workers.length)
    const parts = await Promise.all(
      this.workers.map((worker, w) => {
        const part = resamples.slice(Math.min(count, w * per) * n, Math.min(count, (w + 1) * per) * n)
        if (!part.length) return Promise.resolve(new Float64Array(0))
        const id = this.next++
        return new Promise<Float64Array>((resolve, reject) => {
          this.pending.set(id, { resolve, reject })
          worker.postMessage({ id, resamples: part } satisfies BootstrapRequest, [part.buffer as ArrayBuffer])
        })
      }),
    )
    const values = new Float64Array(count)
    parts.reduce((at, part) => (values.set(part, at), at + part.length), 0)
    return values
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  private failAll(err: Error): void {
    for (const { reject } of this.pending.values()) reject(err)
    this.pending.clear()
  }
}
