// What our kernels on the WebAssembly backend use of it: reading an input's values, and an output filled from ours.
import * as tf from '@tensorflow/tfjs-core'

export interface WasmBackend {
  readSync(dataId: object): Float32Array
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array
  disposeData(dataId: object): boolean
}

export const wasmValues = (backend: object, input: tf.TensorInfo): Float32Array => (backend as WasmBackend).readSync(input.dataId)

/** A float32 output of `shape` holding `values` (zeros when absent). */
export function wasmOutput(backend: object, shape: number[], values?: Float32Array): tf.TensorInfo {
  const wasm = backend as WasmBackend
  const out = wasm.makeOutput(shape, 'float32')
  const heap = wasm.typedArrayFromHeap(out)
  if (values) heap.set(values)
  else heap.fill(0)
  return out
}

/** One of the wasm backend's own kernels, to call from ours. */
export function wasmKernel(name: string): tf.KernelFunc {
  const found = tf.getKernel(name, 'wasm')
  if (!found) throw new Error(`the wasm backend has no ${name} kernel`)
  return found.kernelFunc
}
