// An RSA with its bootstrap and permutations, run in chunks: bootstrap resamples are correlated on all cores,
// progress is reported and cancellation checked between chunks, and the numbers are those of compareRdms
// (one random stream, drawn in the same order) whatever the number of threads.
import type { CorrelationMethod } from '../core/metrics/correlation'
import { mulberry32, RsaResampler, type RsaResult } from '../core/metrics/rsa'
import { BootstrapPool } from './bootstrapPool'

/** Resamples per thread between progress reports. */
const CHUNK = 10

export interface ResampledRsaOptions {
  method: CorrelationMethod
  bootstrap: number
  permutations: number
  seed?: number
  random?: () => number
  threads?: number
  /** The built bootstrapWorker.js, when not beside this bundle (tests run from the sources). */
  workerFile?: string
}

export interface ResampleHooks {
  progress?(fraction: number, stage: string): void
  /** Awaited between chunks: throws to stop (a cancelled job). */
  between?(): Promise<void>
}

export async function resampledRsa(a: ArrayLike<number>, b: ArrayLike<number>, n: number, options: ResampledRsaOptions, hooks: ResampleHooks = {}): Promise<RsaResult> {
  const { bootstrap, permutations } = options
  const resampler = new RsaResampler(a, b, n, options.method)
  const random = options.random ?? mulberry32(options.seed ?? 0)
  const total = bootstrap + permutations
  const values: number[] = []
  if (bootstrap > 0) {
    const pool = BootstrapPool.create(a, b, n, options.method, options.threads, options.workerFile)
    try {
      for (let done = 0; done < bootstrap; ) {
        await hooks.between?.()
        const count = Math.min(CHUNK * pool.threads, bootstrap - done)
        for (const v of await pool.correlate(resampler.drawResamples(count, random), n)) if (Number.isFinite(v)) values.push(v)
        done += count
        hooks.progress?.(done / total, `Bootstrap ${done} of ${bootstrap}`)
      }
    } finally {
      await pool.close()
    }
  }
  let atLeast = 0
  for (let done = 0; done < permutations; ) {
    await hooks.between?.()
    const count = Math.min(CHUNK, permutations - done)
    atLeast += resampler.permute(count, random)
    done += count
    hooks.progress?.((bootstrap + done) / total, `Permutation ${done} of ${permutations}`)
  }
  return resampler.result(values, bootstrap, atLeast, permutations)
}
