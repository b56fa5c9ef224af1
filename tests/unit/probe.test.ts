import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { simulateTriplets, randomGenerator } from '../../src-main/core/data/simulate'
import { parseDelimited } from '../../src-main/core/io/delimited'
import { decodeNpz, encodeNpz } from '../../src-main/core/io/npz'
import { crossValidateProbe } from '../../src-main/core/probe/crossValidate'
import { foldSplit, objectFolds } from '../../src-main/core/probe/folds'
import { responseFrequencies } from '../../src-main/core/probe/frequencies'
import { tripletTerm, tripletTermRows, type Triplets } from '../../src-main/core/probe/objective'
import { createFusedTrainer } from '../../src-main/core/probe/fusedTrainer'
import { PROBE_DEFAULTS, probeObjective, trainProbe, type ProbeConfig } from '../../src-main/core/probe/train'
import { applyTransform, transformArrays, transformFromArrays } from '../../src-main/core/probe/transform'
import { matMulPrograms } from '../helpers/matMulPrograms'
import { useSwiftShader } from '../helpers/swiftshader'

beforeAll(async () => {
  await chooseBackend({ force: 'cpu' })
})

const random = randomGenerator(11)
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random())

/** Random features of n objects and `count` triplets simulated from them (SPoSE choices), all for training. */
function simulatedTraining(n: number, p: number, count: number, seed: number): { x: Float32Array; train: Triplets } {
  const x = Float32Array.from({ length: n * p }, gauss)
  const simulated = simulateTriplets(x, n, p, count, seed)
  return { x, train: { indices: simulated.indices, count, soft: simulated.soft } }
}

/** A probe trained on the device has the host's weights and bias (4 decimals). */
function expectSameTransform(device: { transform: { weights: Float32Array; bias: Float32Array | null } }, host: { transform: { weights: Float32Array; bias: Float32Array | null } }): void {
  device.transform.weights.forEach((v, k) => expect(v).toBeCloseTo(host.transform.weights[k]!, 4))
  device.transform.bias!.forEach((v, k) => expect(v).toBeCloseTo(host.transform.bias![k]!, 4))
}

describe('probe objectives', () => {
  // 7 objects × 3 features; W 3 × 3 near the identity; 4 triplets (gradient from rows) or 12 (from S = Z Zᵀ).
  const n = 7
  const p = 3
  const x = Float32Array.from({ length: n * p }, gauss)
  const w0 = Float32Array.from({ length: p * p }, (_, k) => (k % (p + 1) === 0 ? 0.8 : 0) + 0.3 * gauss())
  const b0 = Float32Array.from({ length: p }, () => 0.2 * gauss())
  const make = (count: number): Triplets => {
    const indices = new Int32Array(count * 3)
    const soft = new Float32Array(count * 3)
    for (let t = 0; t < count; t++) {
      indices.set([t % n, (t + 1 + (t % 3)) % n, (t + 4) % n], 3 * t)
      const a = random() + 0.1
      const c = random() + 0.1
      soft.set([a / (a + c + 0.5), c / (a + c + 0.5), 0.5 / (a + c + 0.5)], 3 * t)
    }
    return { indices, count, soft }
  }

  const cases: [string, Partial<ProbeConfig>, number][] = [
    ['hard, from rows', { objective: 'hard', lambda: 0.1 }, 2],
    ['hard, from S', { objective: 'hard', lambda: 0.1 }, 12],
    ['soft, from rows', { objective: 'soft', lambda: 0.05 }, 2],
    ['soft, from S', { objective: 'soft', lambda: 0.05, temperature: 0.7 }, 12],
    ['gLocal', { objective: 'glocal', lambda: 0.1, alpha: 0.3, temperature: 0.5 }, 12],
    ['Frobenius regulariser', { objective: 'hard', lambda: 0.2, regularizer: 'frobenius' }, 12],
    ['hard, on the device', { objective: 'hard', lambda: 0.1, tripletsOn: 'device' }, 12],
    ['soft, on the device', { objective: 'soft', lambda: 0.05, temperature: 0.7, tripletsOn: 'device' }, 12],
    ['gLocal, on the device', { objective: 'glocal', lambda: 0.1, alpha: 0.3, temperature: 0.5, tripletsOn: 'device' }, 12],
  ]
  it.each(cases)('%s: the gradient equals central finite differences', async (_, overrides, count) => {
    const config = { ...PROBE_DEFAULTS, ...overrides }
    const triplets = make(count)
    const { gw, gb } = await probeObjective(x, n, p, triplets, config, w0, b0)
    const loss = async (w: Float32Array, b: Float32Array) => (await probeObjective(x, n, p, triplets, config, w, b)).loss
    const h = 1e-2
    const check = async (values: Float32Array, analytic: Float32Array, isWeight: boolean) => {
      for (let k = 0; k < values.length; k++) {
        const plus = Float32Array.from(values)
        const minus = Float32Array.from(values)
        plus[k]! += h
        minus[k]! -= h
        const numeric = isWeight ? ((await loss(plus, b0)) - (await loss(minus, b0))) / (2 * h) : ((await loss(w0, plus)) - (await loss(w0, minus))) / (2 * h)
        // float32 products: agreement to a few 1e-3 absolute, on gradients of order 0.1–1.
        expect(Math.abs(numeric - analytic[k]!)).toBeLessThan(5e-3)
      }
    }
    await check(w0, gw, true)
    await check(b0, gb, false)
    expect(Math.max(...Array.from(gw, Math.abs))).toBeGreaterThan(1e-2)
  })

  it('gives the same loss from rows of Z as from S', () => {
    const triplets = make(9)
    const z = Float32Array.from({ length: n * p }, gauss)
    const s = new Float32Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let d = 0; d < p; d++) s[i * n + j]! += z[i * p + d]! * z[j * p + d]!
    const all = Int32Array.from({ length: n }, (_, i) => i)
    const ids = Int32Array.from({ length: 9 }, (_, i) => i)
    for (const soft of [false, true]) {
      const a = tripletTerm(s, n, triplets, 0.8, soft)
      const b = tripletTermRows(z, p, all, triplets, 0.8, soft, ids)
      expect(b.loss).toBeCloseTo(a.loss, 5)
      expect(b.accuracy).toBe(a.accuracy)
    }
  })

  it.each(['hard', 'soft', 'glocal'] as const)('%s: the device term gives the loss and gradients of the host loops', async (objective) => {
    const triplets = make(12)
    const config = { ...PROBE_DEFAULTS, objective, temperature: 0.8, alpha: 0.3 }
    const host = await probeObjective(x, n, p, triplets, { ...config, tripletsOn: 'host' }, w0, b0)
    const device = await probeObjective(x, n, p, triplets, { ...config, tripletsOn: 'device' }, w0, b0)
    expect(device.loss).toBeCloseTo(host.loss, 5)
    for (const [d, h] of [[device.gw, host.gw], [device.gb, host.gb]] as const) d.forEach((v, k) => expect(v).toBeCloseTo(h[k]!, 5))
  })

  it.each(['hard', 'soft', 'glocal'] as const)('%s: the fused WebGPU kernels (SwiftShader) give the loss and gradients of the host loops', async (objective) => {
    const triplets = make(12)
    const config = { ...PROBE_DEFAULTS, objective, temperature: 0.8, alpha: 0.3 }
    await chooseBackend({ force: 'cpu' })
    const host = await probeObjective(x, n, p, triplets, { ...config, tripletsOn: 'host' }, w0, b0)
    useSwiftShader()
    const choice = await chooseBackend({ force: 'webgpu' })
    expect(choice.name, JSON.stringify(choice.attempts)).toBe('webgpu')
    try {
      const fused = await probeObjective(x, n, p, triplets, { ...config, tripletsOn: 'device' }, w0, b0)
      expect(fused.loss).toBeCloseTo(host.loss, 5)
      for (const [d, h] of [[fused.gw, host.gw], [fused.gb, host.gb]] as const) d.forEach((v, k) => expect(v).toBeCloseTo(h[k]!, 5))
    } finally {
      await chooseBackend({ force: 'cpu' })
    }
  })

  it('counts a tie as wrong, and the loss of a sure, right choice is 0', () => {
    const s = Float32Array.of(0, 5, 5, 5, 0, 1, 5, 1, 0)
    const tie = tripletTerm(s, 3, { indices: Int32Array.of(0, 1, 2), count: 1, soft: null }, 1, false)
    expect(tie.accuracy).toBe(0)
    const sure = tripletTerm(Float32Array.of(0, 100, 0, 100, 0, 0, 0, 0, 0), 3, { indices: Int32Array.of(0, 1, 2), count: 1, soft: null }, 1, false)
    expect(sure).toEqual({ loss: 0, accuracy: 1 })
  })
})

describe('cross-validation over objects', () => {
  it('never puts an object of a test triplet into training', () => {
    const n = 40
    const count = 3000
    const indices = Int32Array.from({ length: count * 3 }, () => Math.floor(random() * n))
    const triplets = { indices, count, soft: null }
    const fold = objectFolds(n, 3, 42)
    expect([0, 1, 2].map((f) => fold.filter((v) => v === f).length).sort()).toEqual([13, 13, 14])
    let used = 0
    for (let f = 0; f < 3; f++) {
      const { train, test, trainObjects } = foldSplit(triplets, fold, f)
      const testObjects = new Set(test.indices)
      for (const o of train.indices) expect(testObjects.has(o)).toBe(false)
      for (const o of test.indices) expect(fold[o]).toBe(f)
      expect(trainObjects.every((o) => fold[o] !== f)).toBe(true)
      used += test.count
    }
    // A triplet is tested in at most one fold (in none when its objects straddle folds).
    expect(used).toBeLessThan(count)
    expect(Array.from(objectFolds(n, 3, 42))).toEqual(Array.from(fold))
  })

  it('says so when a fold has no triplets to test on', async () => {
    // 12 triplets of 40 objects in 10 folds of 4: no triplet has all three objects in one fold.
    const triplets = { indices: Int32Array.from({ length: 36 }, (_, k) => (k * 7) % 40), count: 12, soft: null }
    const x = Float32Array.from({ length: 40 * 2 }, gauss)
    await expect(crossValidateProbe(x, 40, 2, triplets, PROBE_DEFAULTS, { folds: 10, lambdas: [0.1], alphas: [0.1], validationFraction: 0.1 })).rejects.toThrow(
      /^fold 1 has no test triplets: with 10 folds over 40 objects, too few triplets fall within one fold; use fewer folds or more triplets\.$/,
    )
  })
})

describe('training', () => {
  it('recovers the accuracy of the SPoSE embedding from a rotated, stretched, noisy copy of it', async () => {
    await chooseBackend({ force: 'wasm' })
    const table = await parseDelimited([readFileSync(join(__dirname, '../../resources/examples/things/spose_embedding66d_rescaled.csv'))])
    const dims = table.columns.filter((c) => /^\d+$/.test(c.name))
    const n = 1854
    const p = dims.length
    const spose = new Float32Array(n * p)
    dims.forEach((c, d) => c.numbers!.forEach((v, i) => (spose[i * p + d] = v)))
    const simulated = simulateTriplets(spose, n, p, 20_000, 1)
    // A random rotation (Gram–Schmidt on Gaussian rows), each axis then stretched by 0.1–10 (which dot products
    // do not survive, unlike the rotation alone), plus noise.
    const r = Array.from({ length: p }, () => Float64Array.from({ length: p }, gauss))
    for (let a = 0; a < p; a++) {
      for (let c = 0; c < a; c++) {
        const dot = r[a]!.reduce((s, v, k) => s + v * r[c]![k]!, 0)
        r[a]!.forEach((v, k) => (r[a]![k] = v - dot * r[c]![k]!))
      }
      const norm = Math.hypot(...r[a]!)
      r[a]!.forEach((v, k) => (r[a]![k] = v / norm))
    }
    const stretch = Float64Array.from({ length: p }, () => 10 ** (2 * random() - 1))
    const x = new Float32Array(n * p)
    for (let i = 0; i < n; i++) for (let k = 0; k < p; k++) x[i * p + k] = stretch[k]! * spose.subarray(i * p, (i + 1) * p).reduce((s, v, a) => s + v * r[a]![k]!, 0) + 0.1 * gauss()
    const part = (from: number, to: number): Triplets => ({ indices: simulated.indices.subarray(3 * from, 3 * to), count: to - from, soft: simulated.soft.subarray(3 * from, 3 * to) })
    const [validation, train, test] = [part(0, 1600), part(1600, 16_000), part(16_000, 20_000)]
    const all = Int32Array.from({ length: n }, (_, i) => i)
    const ids = Int32Array.from({ length: test.count }, (_, i) => i)
    const accuracy = (z: Float32Array, q: number) => tripletTermRows(z, q, all, test, 1, false, ids).accuracy
    const reference = accuracy(spose, p)
    const distorted = accuracy(x, p)
    for (const objective of ['soft', 'hard'] as const) {
      const trained = await trainProbe(x, n, p, train, validation, { ...PROBE_DEFAULTS, objective, lambda: 1e-4, maxEpochs: 100 })
      const probed = accuracy(await applyTransform(x, n, trained.transform), p)
      // The soft labels carry the generating probabilities: the probe matches SPoSE to within a point (0.680 vs
      // 0.683 when written). The hard choices are one noisy draw each, 14,400 of them for 4,422 parameters, so the
      // probe overfits before it converges: within four points (0.653).
      expect(probed).toBeGreaterThan(reference - (objective === 'soft' ? 0.01 : 0.04))
      expect(probed).toBeGreaterThan(distorted + 0.05)
      expect(trained.epochs.length).toBeGreaterThanOrEqual(trained.bestEpoch)
    }
  }, 120_000)

  it.each(['hard', 'soft'] as const)('%s: trains to the same probe with the triplet term on the device', async (objective) => {
    await chooseBackend({ force: 'cpu' })
    const n = 30
    const p = 6
    const x = Float32Array.from({ length: n * p }, gauss)
    const simulated = simulateTriplets(x, n, p, 600, 3)
    const part = (from: number, to: number): Triplets => ({ indices: simulated.indices.subarray(3 * from, 3 * to), count: to - from, soft: simulated.soft.subarray(3 * from, 3 * to) })
    const config = { ...PROBE_DEFAULTS, objective, batchSize: 64, maxEpochs: 4, learningRate: 1e-2 }
    const host = await trainProbe(x, n, p, part(0, 500), part(500, 600), { ...config, tripletsOn: 'host' })
    const device = await trainProbe(x, n, p, part(0, 500), part(500, 600), { ...config, tripletsOn: 'device' })
    expect(device.epochs.length).toBe(4)
    device.epochs.forEach((e, k) => {
      const h = host.epochs[k]!
      expect(e.trainLoss).toBeCloseTo(h.trainLoss, 4)
      expect(e.validationLoss!).toBeCloseTo(h.validationLoss!, 4)
      expect(e.trainAccuracy).toBe(h.trainAccuracy)
    })
    // The fused WebGPU kernels (on SwiftShader) train alike too, validation on the device included.
    useSwiftShader()
    await chooseBackend({ force: 'webgpu' })
    const fused = await trainProbe(x, n, p, part(0, 500), part(500, 600), { ...config, tripletsOn: 'device' })
    await chooseBackend({ force: 'cpu' })
    fused.epochs.forEach((e, k) => {
      expect(e.trainLoss).toBeCloseTo(host.epochs[k]!.trainLoss, 4)
      expect(e.validationAccuracy).toBe(host.epochs[k]!.validationAccuracy)
    })
    // Training moved the weights, and all paths moved them alike.
    expect(Math.abs(device.transform.weights[0]! - PROBE_DEFAULTS.initScale)).toBeGreaterThan(1e-3)
    device.transform.weights.forEach((v, k) => expect(v).toBeCloseTo(host.transform.weights[k]!, 4))
    expectSameTransform(fused, host)
  })

  it('trains on WebGPU with six kernels a step, no upload and no submit of its own: clipped, low-rank, Frobenius, as on the host', async () => {
    const n = 30
    const p = 6
    const { x, train } = simulatedTraining(n, p, 512, 5)
    // A clip norm this small is active at every step; rank 4 < p regularises toward 0 (Frobenius).
    const config = { ...PROBE_DEFAULTS, batchSize: 64, maxEpochs: 3, learningRate: 1e-2, clipNorm: 0.05, rank: 4, regularizer: 'frobenius' as const, lambda: 0.3 }
    const host = await trainProbe(x, n, p, train, null, { ...config, tripletsOn: 'host' })
    useSwiftShader()
    await chooseBackend({ force: 'webgpu' })
    const counts = { dispatch: 0, submit: 0, mapped: 0 }
    type Method = (...a: unknown[]) => unknown
    const globals = globalThis as unknown as { GPUComputePassEncoder: { prototype: { dispatchWorkgroups: Method } }; GPUQueue: { prototype: { submit: Method } }; GPUBuffer: { prototype: { getMappedRange: Method } } }
    const { dispatchWorkgroups } = globals.GPUComputePassEncoder.prototype
    const { submit } = globals.GPUQueue.prototype
    const { getMappedRange } = globals.GPUBuffer.prototype
    // Every upload of tensor data (and every read-back) maps a buffer.
    globals.GPUBuffer.prototype.getMappedRange = function (this: unknown, ...a: unknown[]) {
      counts.mapped++
      return getMappedRange.apply(this, a)
    }
    globals.GPUComputePassEncoder.prototype.dispatchWorkgroups = function (this: unknown, ...a: unknown[]) {
      counts.dispatch++
      return dispatchWorkgroups.apply(this, a)
    }
    globals.GPUQueue.prototype.submit = function (this: unknown, ...a: unknown[]) {
      counts.submit++
      return submit.apply(this, a)
    }
    let fused: Awaited<ReturnType<typeof trainProbe>>
    try {
      fused = await trainProbe(x, n, p, train, null, { ...config, tripletsOn: 'device' })
    } finally {
      globals.GPUComputePassEncoder.prototype.dispatchWorkgroups = dispatchWorkgroups
      globals.GPUQueue.prototype.submit = submit
      globals.GPUBuffer.prototype.getMappedRange = getMappedRange
      await chooseBackend({ force: 'cpu' })
    }
    const steps = 3 * (512 / 64)
    expect(counts.dispatch).toBe(6 * steps)
    // tfjs submits every 100 dispatches; ours are the epoch ends' reads (sums, weights) and the last flush.
    expect(counts.submit).toBeLessThanOrEqual(Math.ceil((6 * steps) / 100) + 2 * 3 * 2 + 2)
    // No upload per step: an epoch's triplets, labels and CSR lists go up once (4), and each epoch maps about 3
    // buffers more (the sums and weights read back, the features or state at the start). 4 uploads a step made 105.
    expect(counts.mapped).toBeLessThanOrEqual(3 * (4 + 3))
    fused.epochs.forEach((e, k) => {
      expect(e.trainLoss).toBeCloseTo(host.epochs[k]!.trainLoss, 4)
      expect(e.trainAccuracy).toBe(host.epochs[k]!.trainAccuracy)
    })
    expect(fused.transform.q).toBe(4)
    expect(Math.abs(host.transform.weights[1]!)).toBeGreaterThan(1e-3)
    expectSameTransform(fused, host)
  })

  it('uploads an epoch in segments of whole batches on WebGPU, with the same steps as in one (soft labels, a short last batch)', async () => {
    const n = 30
    const p = 6
    // Its own random features: the other tests' data come from the shared generator, in order.
    const features = randomGenerator(13)
    const x = Float32Array.from({ length: n * p }, () => features() - 0.5)
    const simulated = simulateTriplets(x, n, p, 500, 13)
    const train = { indices: simulated.indices, count: 500, soft: simulated.soft }
    const config = { ...PROBE_DEFAULTS, objective: 'soft' as const, batchSize: 64, learningRate: 1e-2 }
    const order = Int32Array.from({ length: train.count }, (_, t) => (t * 7) % train.count)
    useSwiftShader()
    await chooseBackend({ force: 'webgpu' })
    try {
      const runs = []
      // 500 triplets: 8 batches (the last of 52) in one segment, or in segments of 2 batches (128 triplets).
      for (const segment of [undefined, 128]) {
        const trainer = createFusedTrainer(x, n, p, p, train, config, segment)
        trainer.epoch(order, 64)
        trainer.epoch(order, 64)
        runs.push({ sums: await trainer.takeSums(), ...(await trainer.weights()) })
        trainer.dispose()
      }
      const [whole, segmented] = runs
      expect(segmented!.sums).toEqual(whole!.sums)
      expect(segmented!.w).toEqual(whole!.w)
      expect(segmented!.b).toEqual(whole!.b)
      expect(Math.abs(whole!.w[1]!)).toBeGreaterThan(1e-4)
    } finally {
      await chooseBackend({ force: 'cpu' })
    }
  })

  it('pads the WebGPU products to multiples of 4 (tfjs’s vec4 program) and trains as on the host', async () => {
    // n = 130, p + 1 = 95 and q = 94 are none multiples of 4; both products are large enough for the packed program.
    const n = 130
    const p = 94
    const { x, train } = simulatedTraining(n, p, 512, 7)
    const config = { ...PROBE_DEFAULTS, batchSize: 128, maxEpochs: 2, learningRate: 1e-2 }
    const host = await trainProbe(x, n, p, train, null, { ...config, tripletsOn: 'host' })
    useSwiftShader()
    await chooseBackend({ force: 'webgpu' })
    let fused: Awaited<ReturnType<typeof trainProbe>>
    let programs: string[]
    try {
      ;({ result: fused, programs } = await matMulPrograms(() => trainProbe(x, n, p, train, null, { ...config, tripletsOn: 'device' })))
    } finally {
      await chooseBackend({ force: 'cpu' })
    }
    const steps = 2 * (512 / 128)
    expect(programs.length).toBeGreaterThanOrEqual(2 * steps)
    expect(new Set(programs)).toEqual(new Set(['matMulPacked vec4 true']))
    fused.epochs.forEach((e, k) => {
      expect(e.trainLoss).toBeCloseTo(host.epochs[k]!.trainLoss, 4)
      expect(e.trainAccuracy).toBe(host.epochs[k]!.trainAccuracy)
    })
    expect(fused.transform.weights.length).toBe(p * p)
    expect(Math.abs(host.transform.weights[1]!)).toBeGreaterThan(1e-3)
    expectSameTransform(fused, host)
  })

  it('saves a transform as gLocal’s transform.npz and loads it back to the same features', async () => {
    const n = 5
    const p = 4
    const x = Float32Array.from({ length: n * p }, gauss)
    const t = { weights: Float32Array.from({ length: p * 2 }, gauss), p, q: 2, bias: Float32Array.of(0.5, -1), mean: 0.25, std: 1.5 }
    const arrays = decodeNpz(encodeNpz(transformArrays(t)))
    expect(Object.keys(arrays).sort()).toEqual(['bias', 'mean', 'std', 'weights'])
    expect(arrays.mean!.shape).toEqual([])
    const loaded = transformFromArrays(arrays)
    expect(await applyTransform(x, n, loaded)).toEqual(await applyTransform(x, n, t))
    // Z = ((X − mean)/std) W + b, checked by hand for one entry.
    const z = await applyTransform(x, n, t)
    const expected = [0, 1, 2, 3].reduce((s, d) => s + ((x[d]! - 0.25) / 1.5) * t.weights[d * 2]!, 0.5)
    expect(z[0]).toBeCloseTo(expected, 5)
    expect(() => transformFromArrays({ mean: arrays.mean! })).toThrow("a transform needs an array 'weights'")
    expect(() => transformFromArrays({ ...arrays, mean: { dtype: '<f8', shape: [4], data: new Float64Array(4) } })).toThrow('one scalar mean')
  })
})

describe('response frequencies', () => {
  it('turns repeated triplets into one triplet per set with the observed choice frequencies', () => {
    // {0,1,2}: odd ones 2, 2, 1 (orders differ); {3,4,5}: 3 once.
    const r = responseFrequencies(Int32Array.of(0, 1, 2, 1, 0, 2, 2, 0, 1, 4, 5, 3), 4, 6)
    expect(r.repeated).toBe(1)
    expect(Array.from(r.triplets.indices)).toEqual([0, 1, 2, 4, 5, 3])
    // Set one: pair (0,1) ← 2 odd (2/3), pair (0,2) ← 1 odd (1/3), pair (1,2) ← 0 odd (0).
    expect(Array.from(r.triplets.soft!)).toEqual([2 / 3, 1 / 3, 0, 1, 0, 0].map(Math.fround))
  })
})
