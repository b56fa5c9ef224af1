// The depthwise convolution's input gradient we supply to the wasm backend, against TF.js's own on the CPU backend.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { depthwiseBackpropInput, registerWasmDepthwiseBackpropInput } from '../../src-main/core/compute/kernels/depthwiseBackpropInput'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('depthwise convolution input gradient', () => {
  for (const [stride, pad, multiplier] of [[1, 'same', 1], [2, 'same', 2], [2, 'valid', 1], [1, 'valid', 3]] as const) {
    it(`equals TF.js's on the CPU backend (stride ${stride}, ${pad}, multiplier ${multiplier})`, async () => {
      const inputShape: [number, number, number, number] = [2, 7, 6, 3]
      const filterShape: [number, number, number, number] = [3, 3, 3, multiplier]
      const x = tf.tensor4d(Array.from({ length: 2 * 7 * 6 * 3 }, (_, k) => Math.sin(k * 0.37)), inputShape)
      const filter = tf.tensor4d(Array.from({ length: 9 * 3 * multiplier }, (_, k) => Math.cos(k * 0.71)), filterShape)
      const out = tf.depthwiseConv2d(x, filter, stride, pad)
      const dy = tf.tensor4d(Array.from({ length: out.size }, (_, k) => Math.cos(k * 0.13) - 0.2), out.shape)
      const expected = await tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(input as tf.Tensor4D, filter, stride, pad), dy)))(x).data()
      const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, stride, 1, pad, undefined, true)
      const ours = depthwiseBackpropInput((await dy.data()) as Float32Array, (await filter.data()) as Float32Array, info)
      expect(ours.length).toBe(expected.length)
      for (let k = 0; k < ours.length; k++) expect(ours[k]).toBeCloseTo(expected[k]!, 5)
    })
  }

  // On wasm: multiplier 1 goes through our SIMD kernel (6 channels: four at a time and two), others loop.
  it.each([
    [1, 'same', 1, 3],
    [2, 'same', 1, 3],
    [2, 'valid', 1, 3],
    [1, 'valid', 1, 5],
    [2, 'same', 1, 5],
    [2, 'same', 2, 3],
    [1, 1, 1, 3],
  ] as const)('on the wasm backend equals TF.js\'s CPU gradient (stride %s, pad %s, multiplier %s, %s × %s filter)', async (stride, pad, multiplier, size) => {
    const inputShape: [number, number, number, number] = [2, 8, 7, 6]
    const filterShape: [number, number, number, number] = [size, size, 6, multiplier]
    const xs = Array.from({ length: 2 * 8 * 7 * 6 }, (_, k) => Math.sin(k * 0.37))
    const fs = Array.from({ length: size * size * 6 * multiplier }, (_, k) => Math.cos(k * 0.71))
    const gradient = async () => {
      const x = tf.tensor4d(xs, inputShape)
      const filter = tf.tensor4d(fs, filterShape)
      const out = tf.depthwiseConv2d(x, filter, stride, pad)
      const dy = tf.tensor4d(Array.from({ length: out.size }, (_, k) => Math.cos(k * 0.13) - 0.2), out.shape)
      const g = await tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(input as tf.Tensor4D, filter, stride, pad), dy)))(x).data()
      tf.dispose([x, filter, out, dy])
      return g
    }
    await tf.setBackend('cpu')
    const expected = await gradient()
    await chooseBackend({ force: 'wasm' })
    registerWasmDepthwiseBackpropInput()
    const ours = await gradient()
    await tf.setBackend('cpu')
    expect(ours.length).toBe(expected.length)
    for (let k = 0; k < ours.length; k++) expect(ours[k]).toBeCloseTo(expected[k]!, 4)
  })
})
