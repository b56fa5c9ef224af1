import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend, type BackendName } from '../../src-main/core/compute/backend'
import { decodeNpy } from '../../src-main/core/io/npy'
import { createSimilarity, pairwiseSimilarity } from '../../src-main/core/compute/kernels/similarity'
import { tripletGather, tripletGatherCpu } from '../../src-main/core/compute/kernels/tripletGather'
import { useSwiftShader } from '../helpers/swiftshader'

// References from NumPy in float64: tests/fixtures/kernels/make_fixtures.py
const load = (name: string) => decodeNpy(new Uint8Array(readFileSync(join(__dirname, '../fixtures/kernels', name))))
const x = load('x.npy').data as Float32Array
const [n, p] = load('x.npy').shape as [number, number]
const reference = { dot: load('dot.npy').data as Float64Array, cosine: load('cosine.npy').data as Float64Array }
const triplets = { indices: load('triplets.npy').data as Int32Array, count: 1000 }
const gathered = load('gathered.npy').data as Float64Array

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!))
  return worst
}

beforeAll(() => {
  useSwiftShader()
})

const results: Partial<Record<BackendName, { dot: Float32Array; cosine: Float32Array; gathered: Float32Array }>> = {}

describe.each(['cpu', 'wasm', 'webgpu'] as const)('kernels on %s', (backend) => {
  beforeAll(async () => {
    const choice = await chooseBackend({ force: backend })
    expect(choice.name, JSON.stringify(choice.attempts)).toBe(backend)
  })

  it('computes dot and cosine similarity like NumPy (float64) to float32 precision', async () => {
    const dot = await pairwiseSimilarity(x, n, p, 'dot')
    const cosine = await pairwiseSimilarity(x, n, p, 'cosine')
    expect(maxAbsDiff(dot, reference.dot)).toBeLessThan(2e-5 * 40)
    expect(maxAbsDiff(cosine, reference.cosine)).toBeLessThan(2e-6)
    expect(cosine[5 * n + 5]).toBe(0)
    expect(cosine[0]).toBeCloseTo(1, 6)
    const gather = await tripletGather(dot, n, triplets)
    expect(maxAbsDiff(gather, gathered)).toBeLessThan(2e-5 * 40)
    results[backend] = { dot, cosine, gathered: gather }
  })

  it('gives the same rows block by block as in one piece', async () => {
    const whole = await pairwiseSimilarity(x, n, p, 'dot')
    const similarity = createSimilarity(x, n, p, 'dot')
    const blocks = [await similarity.rows(0, 17), await similarity.rows(17, 20), await similarity.rows(20, n)]
    similarity.dispose()
    const joined = new Float32Array(n * n)
    let offset = 0
    for (const block of blocks) {
      joined.set(block, offset)
      offset += block.length
    }
    expect(Array.from(joined)).toEqual(Array.from(whole))
  })

  it('refuses out-of-range triplet indices, naming the triplet', async () => {
    const bad = { indices: Int32Array.of(0, 1, 2, 3, n, 4), count: 2 }
    await expect(tripletGather(new Float32Array(n * n), n, bad)).rejects.toThrow(
      `triplet 1 refers to object ${n}, but there are ${n} objects (0…${n - 1})`,
    )
  })
})

describe('backends agree', () => {
  it('cpu, wasm and webgpu give the same numbers to float32 tolerance', () => {
    const { cpu, wasm, webgpu } = results
    expect(cpu && wasm && webgpu).toBeTruthy()
    for (const other of [wasm!, webgpu!]) {
      expect(maxAbsDiff(other.dot, cpu!.dot)).toBeLessThan(1e-4)
      expect(maxAbsDiff(other.cosine, cpu!.cosine)).toBeLessThan(1e-6)
      // A gather moves numbers, it does not compute: bit-identical given the same matrix.
      expect(Array.from(tripletGatherCpu(other.dot, n, triplets))).toEqual(Array.from(other.gathered))
    }
  })
})

describe('identity on wasm', () => {
  it('shares the data, counted: a clone outlives its original and costs no memory', async () => {
    const tf = await import('@tensorflow/tfjs-core')
    await chooseBackend({ force: 'wasm' })
    const x = tf.tensor1d([1, 2, 3])
    const bytes = tf.memory().numBytes
    const y = tf.clone(x)
    expect(y.dataId).toBe(x.dataId)
    expect((tf.backend() as unknown as { refCount(id: object): number }).refCount(x.dataId)).toBe(2)
    x.dispose()
    expect(Array.from(await y.data())).toEqual([1, 2, 3])
    expect(tf.memory().numBytes).toBe(bytes)
    y.dispose()
    expect((tf.backend() as unknown as { refCount(id: object): number }).refCount(y.dataId)).toBe(0)
  })
})

describe('batch normalisation on wasm', () => {
  it.each([
    ['per-channel statistics, scale and offset', true, true, false],
    ['no scale, no offset', false, false, false],
    ['statistics broadcast from rank 4 (tfjs-wasm\'s own kernel)', true, true, true],
  ] as const)('equals the CPU backend: %s', async (_, withScale, withOffset, rank4) => {
    const tf = await import('@tensorflow/tfjs-core')
    const shape: [number, number, number, number] = [2, 3, 4, 5]
    const stats = (seed: number, positive = false) => {
      const values = Array.from({ length: 5 }, (_, c) => Math.sin(seed + c * 1.3) + (positive ? 1.5 : 0))
      return rank4 ? tf.tensor4d(values, [1, 1, 1, 5]) : tf.tensor1d(values)
    }
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 120 }, (_, k) => Math.cos(k * 0.7) * 3), shape)
        return tf.batchNorm(x, stats(1), stats(2, true), withOffset ? stats(3) : undefined, withScale ? stats(4) : undefined, 1e-3).dataSync()
      })
    await chooseBackend({ force: 'cpu' })
    const expected = run()
    await chooseBackend({ force: 'wasm' })
    const ours = run()
    ours.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 5))
  })
})

describe('per-channel sums on wasm', () => {
  // 2 × 3 × 4 positions of 6 channels (four at a time and two), against float64 sums in a plain loop.
  const shape = [2, 3, 4, 6]
  const values = Array.from({ length: 144 }, (_, k) => Math.sin(k * 0.7) * 3)
  const channelSums = Array.from({ length: 6 }, (_, c) => values.filter((_, k) => k % 6 === c).reduce((s, v) => s + v, 0))

  it.each([
    ['axes 0, 1, 2', [0, 1, 2], false, [6]],
    ['the same axes unordered and negative, dimensions kept', [2, -4, 1], true, [1, 1, 1, 6]],
  ] as const)('sum over every axis but the last in one pass of ours: %s', async (_, axes, keepDims, outShape) => {
    const tf = await import('@tensorflow/tfjs-core')
    await chooseBackend({ force: 'wasm' })
    const { allButLast } = await import('../../src-main/core/compute/kernels/wasmChannelSums')
    expect(allButLast(tf.util.parseAxisParam([...axes], shape), 4)).toBe(true)
    const sum = tf.tidy(() => tf.sum(tf.tensor4d(values, shape as [number, number, number, number]), [...axes], keepDims))
    expect(sum.shape).toEqual(outShape)
    Array.from(sum.dataSync()).forEach((v, c) => expect(v).toBeCloseTo(channelSums[c]!, 5))
    sum.dispose()
  })

  it('leaves other sums to tfjs-wasm: over the channels, and over all axes', async () => {
    const tf = await import('@tensorflow/tfjs-core')
    await chooseBackend({ force: 'wasm' })
    const { allButLast } = await import('../../src-main/core/compute/kernels/wasmChannelSums')
    expect([allButLast([3], 4), allButLast([0, 1, 2, 3], 4), allButLast([1, 2, 3], 4), allButLast([0], 1)]).toEqual([false, false, false, false])
    const x = tf.tensor4d(values, shape as [number, number, number, number])
    const perPosition = tf.sum(x, -1).dataSync()
    expect(perPosition[5]).toBeCloseTo(values.slice(30, 36).reduce((s, v) => s + v, 0), 5)
    expect(tf.sum(x).dataSync()[0]).toBeCloseTo(channelSums.reduce((s, v) => s + v, 0), 4)
    x.dispose()
  })
})

describe('padding, slicing and the global average pool gradient on wasm', () => {
  const shape: [number, number, number, number] = [2, 3, 4, 5]
  const values = Array.from({ length: 120 }, (_, k) => Math.cos(k * 0.7) * 3)

  /** The same computation on the CPU backend and on wasm. */
  async function both(run: (tf: typeof import('@tensorflow/tfjs')) => { shape: number[]; values: Float32Array }) {
    // The full package: it registers the gradients.
    const tf = await import('@tensorflow/tfjs')
    await chooseBackend({ force: 'cpu' })
    const expected = tf.tidy(() => run(tf))
    await chooseBackend({ force: 'wasm' })
    const ours = tf.tidy(() => run(tf))
    expect(ours.shape).toEqual(expected.shape)
    ours.values.forEach((v, k) => expect(v).toBeCloseTo(expected.values[k]!, 6))
  }

  it.each([
    ['height and width, zeros (ZeroPadding2D)', [[0, 0], [1, 2], [0, 1], [0, 0]], 0],
    ['batch too, a constant', [[1, 0], [0, 1], [2, 2], [0, 0]], 1.5],
    ['channels (tfjs-wasm\'s own kernel)', [[0, 0], [1, 0], [0, 0], [1, 1]], 0],
  ] as const)('pads as the CPU backend does: %s', async (_, paddings, constant) => {
    await both((tf) => {
      const out = tf.pad(tf.tensor4d(values, shape), paddings.map(([a, b]) => [a, b] as [number, number]), constant)
      return { shape: out.shape, values: out.dataSync() as Float32Array }
    })
  })

  it.each([
    ['height and width (the padding\'s gradient)', [0, 1, 1, 0], [2, 2, 3, 5]],
    ['batch too, sizes to the end (-1)', [1, 0, 2, 0], [-1, 2, -1, -1]],
    ['channels (tfjs-wasm\'s own kernel)', [0, 0, 0, 1], [2, 3, 4, 3]],
  ] as const)('slices as the CPU backend does: %s', async (_, begin, size) => {
    await both((tf) => {
      const out = tf.slice(tf.tensor4d(values, shape), [...begin], [...size])
      return { shape: out.shape, values: out.dataSync() as Float32Array }
    })
  })

  it.each([
    ['a global pool (the window is the image)', [3, 4], 1, true],
    ['a 2 × 2 pool at stride 2 (tfjs-wasm\'s own kernel)', [2, 2], 2, false],
  ] as const)('takes the gradient of average pooling as the CPU backend does: %s', async (_, filter, stride, global) => {
    const { globalPool } = await import('../../src-main/core/compute/kernels/wasmSpatialKernels')
    expect(globalPool(shape, [...filter], stride, 'valid')).toBe(global)
    await both((tf) => {
      const x = tf.tensor4d(values, shape)
      const pooled = tf.avgPool(x, [...filter], stride, 'valid')
      const weights = tf.tensor(Array.from({ length: pooled.size }, (_, k) => Math.sin(k + 1)), pooled.shape)
      const dx = tf.grad((input: import('@tensorflow/tfjs').Tensor) => tf.sum(tf.mul(tf.avgPool(input as import('@tensorflow/tfjs').Tensor4D, [...filter], stride, 'valid'), weights)))(x)
      return { shape: dx.shape, values: dx.dataSync() as Float32Array }
    })
  })
})
