// Our gradients through models against their closed forms: batch normalisation (float64, in plain loops), without
// the full-size Tile of TF.js's own; clipping (ReLU6) and ReLU, one SIMD kernel of ours on wasm, in the backend's
// memory (a NaN activation gets 0 there, as clipping's does in TF.js; TF.js's ReLU gradient makes it NaN).
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { registerModelGradients } from '../../src-main/core/compute/modelGradients'
import { simdKernels } from '../../src-main/core/compute/kernels/wasm/simdKernels'
import { wasmMemory } from '../../src-main/core/compute/kernels/wasmKernel'

beforeAll(async () => {
  await tf.setBackend('cpu')
  registerModelGradients()
})

describe('batch normalisation gradient', () => {
  const [b, h, w, c] = [2, 3, 2, 4]
  const eps = 1e-3
  const size = b * h * w * c
  const x = Array.from({ length: size }, (_, k) => Math.sin(k * 0.37) * 2)
  const weight = Array.from({ length: size }, (_, k) => Math.cos(k * 0.13) - 0.2)
  const mean = [0.1, -0.3, 0.5, 0.0]
  const variance = [0.8, 1.5, 0.2, 2.5]
  const gamma = [1.2, -0.7, 0.9, 2.0]
  const beta = [0.05, 0.1, -0.2, 0.3]
  // L = Σ weight ∘ (γ (x − μ) r + β), r = 1/√(σ² + ε).
  const loss = (xs: tf.Tensor, mu: tf.Tensor, sigma2: tf.Tensor, g: tf.Tensor, o: tf.Tensor) =>
    tf.sum(tf.mul(tf.batchNorm(xs as tf.Tensor4D, mu as tf.Tensor1D, sigma2 as tf.Tensor1D, o as tf.Tensor1D, g as tf.Tensor1D, eps), tf.tensor4d(weight, [b, h, w, c])))
  const inputs = () => [tf.tensor4d(x, [b, h, w, c]), tf.tensor1d(mean), tf.tensor1d(variance), tf.tensor1d(gamma), tf.tensor1d(beta)]

  it('equals the closed form for the input, mean, variance, scale and offset', async () => {
    const grads = await Promise.all(tf.grads(loss)(inputs()).map((t) => t.data()))
    const expected = { x: new Float64Array(size), mean: new Float64Array(c), variance: new Float64Array(c), scale: new Float64Array(c), offset: new Float64Array(c) }
    for (let k = 0; k < size; k++) {
      const ch = k % c
      const r = 1 / Math.sqrt(variance[ch]! + eps)
      const centred = x[k]! - mean[ch]!
      expected.x[k] = weight[k]! * gamma[ch]! * r
      expected.mean[ch]! -= weight[k]! * gamma[ch]! * r
      expected.variance[ch]! += weight[k]! * gamma[ch]! * centred * -0.5 * r ** 3
      expected.scale[ch]! += weight[k]! * centred * r
      expected.offset[ch]! += weight[k]!
    }
    Object.values(expected).forEach((values, i) => values.forEach((v, k) => expect(grads[i]![k]).toBeCloseTo(v, 4)))
  })

  it('computes only the derivatives asked for, and tiles nothing', async () => {
    const [xs, ...rest] = inputs()
    const profile = await tf.profile(() => tf.grad((input: tf.Tensor) => loss(input, ...(rest as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])))(xs!))
    const kernels = profile.kernels.map((k) => k.name)
    expect(kernels).not.toContain('Tile')
    // The input gradient needs no x − μ (TF.js's computes it, and dy·γ, at full size whatever is asked).
    expect(kernels).not.toContain('Sub')
  })
})

describe('clipping gradient', () => {
  // Values on both bounds (0 and 6 are inside, as in TF.js) and beyond them, a NaN (outside: no comparison holds),
  // and negative gradients (their sign bit passes through the mask).
  const x = [-1, 0, 0.5, 3, 6, 6.5, -0.01, 5.99, NaN, 2]
  const dy = [1, 2, 3, 4, 5, 6, 7, 8, 9, -10.25]
  const expected = [0, 2, 3, 4, 5, 0, 0, 8, 0, -10.25]
  const gradient = () => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(input, 0, 6), tf.tensor1d(dy))))(tf.tensor1d(x))

  it.each(['cpu', 'wasm'] as const)('passes dy where min ≤ x ≤ max on %s', async (backend) => {
    await chooseBackend({ force: backend })
    const profile = await tf.profile(async () => expect(Array.from(await gradient().data())).toEqual(expected))
    const kernels = profile.kernels.map((k) => k.name)
    // On wasm one pass of ours replaces TF.js's comparisons, logical and and select.
    // On wasm the kernel found the backend's memory, so the SIMD pass ran, not the loop that stands in for it.
    if (backend === 'wasm') expect([kernels.includes('HumanAlignClipGradient'), kernels.includes('Select'), wasmMemory(tf.backend()) !== null]).toEqual([true, false, true])
    else expect(kernels).toContain('Select')
    await tf.setBackend('cpu')
  })

  it.each(['cpu', 'wasm'] as const)('passes dy through ReLU where x > 0 on %s, the least positive float included', async (backend) => {
    await chooseBackend({ force: backend })
    // 0 is outside (TF.js's step(0) = 0); 2⁻¹⁴⁹, float32's least subnormal, inside.
    const xs = [-1, 0, 2 ** -149, 0.5, -0.01, 7, 1e30, -1e-30]
    const dys = [1, 2, 3, -4, 5, 6, 7, 8]
    const profile = await tf.profile(async () => {
      const g = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.relu(input), tf.tensor1d(dys))))(tf.tensor1d(xs))
      expect(Array.from(await g.data())).toEqual([0, 0, 3, -4, 0, 6, 7, 0])
    })
    // On wasm the one pass of ours, not TF.js's step, cast and multiply.
    expect(profile.kernels.some((k) => k.name === 'Step')).toBe(backend === 'cpu')
    await tf.setBackend('cpu')
  })

  it.each([false, true])('is the same in a memory of its own (shared: %s; the threaded build’s is), four at a time and the tail', (shared) => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared })
    const n = x.length
    const heap = new Float32Array(memory.buffer)
    heap.set(dy, 0)
    heap.set(x, 16)
    heap.fill(99, 32, 48)
    simdKernels(memory).clipGradient(0, 16 * 4, 32 * 4, n, 0, 6)
    expect(Array.from(heap.subarray(32, 32 + n))).toEqual(expected)
    // Nothing past the n values is written.
    expect(heap[32 + n]).toBe(99)
  })
})
