import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compareRdms } from '../../src-main/core/metrics/rsa'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'
import { resampledRsa } from '../../src-main/jobs/resampledRsa'
import { WORKER_DIR } from '../helpers/seed'

const workerFile = join(WORKER_DIR, 'bootstrapWorker.js')
const n = 60
const features = (phase: number) => Float32Array.from({ length: n * 4 }, (_, k) => Math.sin(k * 0.37 + phase) + Math.cos(k * 0.11))
const a = rdmFromFeatures(features(0), n, 4, 'euclidean')
const b = rdmFromFeatures(features(0.4), n, 4, 'correlation')

describe('bootstrap on several threads', () => {
  it.each(['spearman', 'pearson', 'kendall'] as const)('gives %s intervals and p-values identical to the single-threaded comparison', async (method) => {
    const direct = compareRdms(a, b, n, { method, bootstrap: 23, permutations: 7, seed: 3 })
    for (const threads of [1, 2, 3]) {
      const stages: string[] = []
      const result = await resampledRsa(a, b, n, { method, bootstrap: 23, permutations: 7, seed: 3, threads, workerFile }, { progress: (_, stage) => stages.push(stage) })
      expect(result).toEqual(direct)
      expect(stages.at(-1)).toBe('Permutation 7 of 7')
    }
    expect(direct.ci95![0]).toBeLessThan(direct.r)
    expect(direct.ci95![1]).toBeGreaterThan(direct.r)
  })

  it('stops between chunks when asked, and its threads with it', async () => {
    let calls = 0
    const stop = resampledRsa(a, b, n, { method: 'spearman', bootstrap: 200, permutations: 0, threads: 2, workerFile }, {
      between: async () => {
        if (++calls === 2) throw new Error('cancelled')
      },
    })
    await expect(stop).rejects.toThrow('cancelled')
  })
})
