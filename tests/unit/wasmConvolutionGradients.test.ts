// The convolution gradients we supply to the wasm backend (so models train there), against TF.js's own on the CPU
// backend: filter gradients of convolutions (the 1 × 1, stride-1 matrix-product path and the loops) and depthwise
// convolutions, and a convolution's input gradient (1 × 1, stride 1 as one product; otherwise patch gradients, col2im).
import * as tf from '@tensorflow/tfjs'
import '@tensorflow/tfjs-backend-wasm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { depthwiseGradientByRuns, withoutFilterGradients } from '../../src-main/core/compute/kernels/depthwiseBackpropInput'
import { convFilterGradient, convInputGradient, depthwiseBackpropFilter, registerWasmConvolutionGradients, transposedPointwise } from '../../src-main/core/compute/kernels/wasmConvolutionGradients'

const CASES = [
  { kernel: 1, stride: 1, pad: 'same', multiplier: 1 },
  { kernel: 1, stride: 1, pad: 'valid', multiplier: 2 },
  { kernel: 3, stride: 2, pad: 'same', multiplier: 2 },
  { kernel: 3, stride: 2, pad: 'valid', multiplier: 1 },
  { kernel: 2, stride: 1, pad: 'valid', multiplier: 3 },
] as const

/** The filter gradients of sum(conv²) and sum(depthwise²), and the input gradient of sum(conv²), on the current backend. */
async function filterGradients({ kernel, stride, pad, multiplier }: (typeof CASES)[number]): Promise<[Float32Array, Float32Array, Float32Array]> {
  const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => Math.sin(i * 0.37)), [2, 7, 6, 3])
  const filter = tf.tensor4d(Array.from({ length: kernel * kernel * 3 * 4 }, (_, i) => Math.cos(i * 0.71)), [kernel, kernel, 3, 4])
  const depthwise = tf.tensor4d(Array.from({ length: kernel * kernel * 3 * multiplier }, (_, i) => Math.cos(i * 0.53)), [kernel, kernel, 3, multiplier])
  const conv = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, stride, pad))))(filter)
  const dw = tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.depthwiseConv2d(x, f as tf.Tensor4D, stride, pad))))(depthwise)
  const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.square(tf.conv2d(input as tf.Tensor4D, filter, stride, pad))))(x)
  const out: [Float32Array, Float32Array, Float32Array] = [(await conv.data()) as Float32Array, (await dw.data()) as Float32Array, (await dx.data()) as Float32Array]
  tf.dispose([x, filter, depthwise, conv, dw, dx])
  return out
}

const expected: [Float32Array, Float32Array, Float32Array][] = []

beforeAll(async () => {
  await tf.setBackend('cpu')
  for (const c of CASES) expected.push(await filterGradients(c))
  await tf.setBackend('wasm')
  registerWasmConvolutionGradients()
})

afterAll(async () => {
  await tf.setBackend('cpu')
})

describe('wasm convolution gradients', () => {
  CASES.forEach((c, k) => {
    it(`equal TF.js's on the CPU backend (${c.kernel}×${c.kernel}, stride ${c.stride}, ${c.pad}, multiplier ${c.multiplier})`, async () => {
      const ours = await filterGradients(c)
      for (const side of [0, 1, 2] as const) {
        expect(ours[side].length).toBe(expected[k]![side].length)
        ours[side].forEach((v, i) => expect(v).toBeCloseTo(expected[k]![side][i]!, 3))
      }
    })
  })

  it.each(['filter', 'input'] as const)('makes a convolution’s %s gradient from blocks of patches as from all of them at once', async (side) => {
    const info = tf.backend_util.computeConv2DInfo([2, 7, 6, 3], [3, 3, 3, 4], 2, 1, 'same')
    const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 3 }, (_, i) => Math.sin(i * 0.37)), [2, 7, 6, 3])
    const filter = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.sin(i * 0.43)), [3, 3, 3, 4])
    const dy = tf.tensor4d(Array.from({ length: 2 * info.outHeight * info.outWidth * 4 }, (_, i) => Math.cos(i * 0.29)), [2, info.outHeight, info.outWidth, 4])
    const read = (t: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(t).data()
    const ours = (patchFloats?: number) => read(side === 'filter' ? convFilterGradient(tf.backend(), x, dy, info, patchFloats) : convInputGradient(tf.backend(), dy, filter, info, [2, 7, 6, 3], patchFloats))
    const whole = await ours()
    // 5 positions a block (27 patch values each): 24 positions in 5 blocks, the last short.
    const blocks = await ours(27 * 5)
    await tf.setBackend('cpu')
    // d/dW or d/dX of Σ conv(X, W) ∘ dY is the gradient for dY.
    const reference = tf.tidy(() =>
      side === 'filter'
        ? tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 2, 'same'), dy)))(filter)
        : tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, filter, 2, 'same'), dy)))(x),
    )
    const expectedValues = await reference.data()
    await tf.setBackend('wasm')
    expect(whole.length).toBe(side === 'filter' ? 3 * 3 * 3 * 4 : 2 * 7 * 6 * 3)
    whole.forEach((v, i) => {
      expect(blocks[i]).toBeCloseTo(v, 5)
      expect(v).toBeCloseTo(expectedValues[i]!, 4)
    })
    tf.dispose([x, filter, dy, reference])
  })

  it('takes a 1 × 1 convolution’s input gradient as (W dYᵀ)ᵀ where few positions meet many channels, as TF.js does on the CPU', async () => {
    // 2 × 2 positions, 8 → 24 channels: positions · (in + out) = 128 < in · out = 192.
    const x = tf.tensor4d(Array.from({ length: 2 * 2 * 8 }, (_, i) => Math.sin(i * 0.61)), [1, 2, 2, 8])
    const filter = tf.tensor4d(Array.from({ length: 8 * 24 }, (_, i) => Math.cos(i * 0.17)), [1, 1, 8, 24])
    const gradient = () => tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(tf.square(tf.conv2d(input as tf.Tensor4D, filter, 1, 'same'))))(x))
    expect([[1, 2, 2, 8], [1, 7, 6, 3]].map((shape) => transposedPointwise(tf.backend_util.computeConv2DInfo(shape as [number, number, number, number], [1, 1, shape[3]!, 24], 1, 1, 'same')))).toEqual([true, false])
    const ours = await gradient().data()
    await tf.setBackend('cpu')
    const reference = await gradient().data()
    await tf.setBackend('wasm')
    expect(ours.length).toBe(32)
    ours.forEach((v, i) => expect(v).toBeCloseTo(reference[i]!, 3))
    tf.dispose([x, filter])
  })

  it.each([
    [3, 1, 'same'],
    [3, 2, 'same'],
    [3, 2, 'valid'],
    [2, 1, 'valid'],
  ] as const)('makes a depthwise filter gradient with the SIMD kernel as the loops do (filter side %i, stride %i, %s; 6 channels: four at a time and two)', async (kernelSize, stride, pad) => {
    // 7 × 7 pixels: at stride 2, 'same' pads one column on the left, so the first tap starts at the second position.
    const shape: [number, number, number, number] = [2, 7, 7, 6]
    const info = tf.backend_util.computeConv2DInfo(shape, [kernelSize, kernelSize, 6, 1], stride, 1, pad, undefined, true)
    const x = tf.tensor4d(Array.from({ length: 2 * 7 * 7 * 6 }, (_, i) => Math.sin(i * 0.37)), shape)
    const dy = tf.tensor4d(Array.from({ length: 2 * info.outHeight * info.outWidth * 6 }, (_, i) => Math.cos(i * 0.29)), [2, info.outHeight, info.outWidth, 6])
    const ours = await tf.engine().makeTensorFromTensorInfo(depthwiseGradientByRuns(tf.backend(), 'filter', dy, x, info, [kernelSize, kernelSize, 6, 1])).data()
    const loops = depthwiseBackpropFilter((await x.data()) as Float32Array, (await dy.data()) as Float32Array, info)
    expect(ours.length).toBe(loops.length)
    ours.forEach((v, i) => expect(v).toBeCloseTo(loops[i]!, 5))
    tf.dispose([x, dy])
  })

  it('gives way to zero stand-ins during a saliency map, and comes back after', async () => {
    const zeros = await withoutFilterGradients(() => filterGradients(CASES[2]))
    expect(zeros[0].every((v) => v === 0) && zeros[1].every((v) => v === 0)).toBe(true)
    const [conv] = await filterGradients(CASES[2])
    expect(conv[0]).toBeCloseTo(expected[2]![0][0]!, 3)
  })
})
