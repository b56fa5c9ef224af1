import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'
import { planStripes } from '../../src-main/core/metrics/rowProducts'
import { rdmFromFeaturesOnCores } from '../../src-main/jobs/rowProductsPool'
import { WORKER_DIR } from '../helpers/seed'
import { useTmp } from '../helpers/tmp'

const workerFile = join(WORKER_DIR, 'rowProductsWorker.js')
const features = (n: number, p: number) => Float32Array.from({ length: n * p }, (_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.0011))
const sameBits = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

describe('RDMs of features on several cores', () => {
  const tmp = useTmp()

  // Large enough for helpers (n²p/2 above 3·10⁷ multiply-adds), odd in both.
  const [n, p] = [401, 387]
  const x = features(n, p)

  it.each([2, 3])('on %i threads equal the one-thread RDM to the bit, for each measure, in plain memory', async (threads) => {
    // Several stripes a thread, handed out in turn.
    expect(planStripes(n, p, 'dot', threads).stripes).toBeGreaterThan(4 * threads)
    for (const measure of ['correlation', 'cosine', 'euclidean'] as const) {
      const shared = await rdmFromFeaturesOnCores(x, n, p, measure, threads, workerFile)
      expect(shared.buffer).toBeInstanceOf(ArrayBuffer)
      expect(sameBits(shared, rdmFromFeatures(x, n, p, measure))).toBe(true)
    }
  })

  it('computes here the stripe a failing helper took, and runs without the helpers’ file', async () => {
    // THINGS' size: this thread's share lasts far longer than a helper's start, so the helper takes a stripe that is left.
    const [big, q] = [1854, 768]
    const y = features(big, q)
    const want = rdmFromFeatures(y, big, q, 'correlation')
    const dir = tmp()
    const failing = join(dir, 'failingWorker.js')
    writeFileSync(failing, `const { workerData } = require('node:worker_threads')
require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'took'))}, String(Atomics.add(new Int32Array(workerData.control, 0, 1), 0, 1)))
throw new Error('helper broke')
`)
    const afterFailure = await rdmFromFeaturesOnCores(y, big, q, 'correlation', 2, failing)
    expect(Number(readFileSync(join(dir, 'took'), 'utf8'))).toBeLessThan(planStripes(big, q, 'dot', 2).stripes)
    expect(sameBits(afterFailure, want)).toBe(true)
    expect(sameBits(await rdmFromFeaturesOnCores(y, big, q, 'correlation', 2, join(dir, 'missing.js')), want)).toBe(true)
  })
})
