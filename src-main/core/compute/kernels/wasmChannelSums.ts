// Sums over every axis but the last (per-channel sums of NHWC activations: the gradients of batch-norm scales and
// offsets, of biases) on the WebAssembly backend, as one SIMD pass of simdKernels.wat over the tensor where it lies.
// tfjs-wasm's Sum transposes the channels to the front first: 2.8 ms for 12 × 14 × 14 × 576 (a distillation step
// has ~50 of them).
import * as tf from '@tensorflow/tfjs-core'
import { simdKernels } from './wasm/simdKernels'
import { overrideWasmKernel, wasmFilled, wasmMemory, wasmValues } from './wasmKernel'

/** Whether `axes` are all of a rank-`rank` tensor's but the last. */
export const allButLast = (axes: number[], rank: number): boolean => rank >= 2 && axes.length === rank - 1 && [...axes].sort((a, b) => a - b).every((axis, k) => axis === k)

/** Registers the kernel on the wasm backend; other sums go to tfjs-wasm's. */
export function registerWasmChannelSums(): void {
  overrideWasmKernel('Sum', (own) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean }
    const { backend } = args
    const rank = x.shape.length
    const memory = wasmMemory(backend)
    if (x.dtype !== 'float32' || !memory || !allButLast(tf.util.parseAxisParam(axis, x.shape), rank)) return own(args)
    const channels = x.shape[rank - 1]!
    const positions = tf.util.sizeFromShape(x.shape) / Math.max(1, channels)
    const shape = keepDims ? [...Array<number>(rank - 1).fill(1), channels] : [channels]
    return wasmFilled(backend, shape, (out) => simdKernels(memory).channelSums(wasmValues(backend, x).byteOffset, out.byteOffset, positions, channels))
  })
}
