// What our kernels on the WebAssembly backend use of it: reading an input's values, and an output filled from ours.
import * as tf from '@tensorflow/tfjs-core'

export interface WasmBackend {
  incRef(dataId: object): void
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array
  disposeData(dataId: object): boolean
}

/**
 * A float32 input's values as a view of the backend's heap, not a copy (activations are megabytes). Valid until
 * the backend next allocates (the heap may grow and move): take it after making the outputs.
 */
export const wasmValues = (backend: object, input: tf.TensorInfo): Float32Array => (backend as WasmBackend).typedArrayFromHeap(input)

/**
 * The wasm backend's WebAssembly memory (the threaded build's is shared; the other exports its own), for kernels of
 * ours that work in it: a tensor's byte offset there is its wasmValues' byteOffset. Null for other backends.
 */
export function wasmMemory(backend: object): WebAssembly.Memory | null {
  const module = (backend as { wasm?: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } } }).wasm
  const memory = module?.wasmMemory ?? module?.asm?.memory
  return memory instanceof WebAssembly.Memory ? memory : null
}

/** Frees our kernels' intermediate tensors on the backend. */
export function wasmDispose(backend: object, ...infos: tf.TensorInfo[]): void {
  for (const t of infos) (backend as WasmBackend).disposeData(t.dataId)
}

/** A float32 output of `shape` holding `values` (zeros when absent). */
export function wasmOutput(backend: object, shape: number[], values?: Float32Array): tf.TensorInfo {
  return wasmFilled(backend, shape, (heap) => (values ? heap.set(values) : heap.fill(0)))
}

/** A float32 output of `shape` that `fill` writes in place, every element (the heap holds old data). */
export function wasmFilled(backend: object, shape: number[], fill: (out: Float32Array) => void): tf.TensorInfo {
  const wasm = backend as WasmBackend
  const out = wasm.makeOutput(shape, 'float32')
  fill(wasm.typedArrayFromHeap(out))
  return out
}

/** One of the wasm backend's own kernels, to call from ours. */
export function wasmKernel(name: string): tf.KernelFunc {
  const found = tf.getKernel(name, 'wasm')
  if (!found) throw new Error(`the wasm backend has no ${name} kernel`)
  return found.kernelFunc
}

const overridden = new Set<string>()

/**
 * Replaces a wasm kernel by ours, once per kernel (later calls do nothing, so registering twice is harmless); ours
 * may hand a call on to the backend's own (`own`), whose setup (binding the WebAssembly function) is kept, or `own`
 * would find it unbound.
 */
export function overrideWasmKernel(name: string, ours: (own: tf.KernelFunc) => tf.KernelFunc): void {
  if (overridden.has(name)) return
  const config = tf.getKernel(name, 'wasm')
  if (!config) throw new Error(`the wasm backend has no ${name} kernel`)
  tf.unregisterKernel(name, 'wasm')
  tf.registerKernel({ ...config, kernelFunc: ours(config.kernelFunc) })
  overridden.add(name)
}

/**
 * tfjs-wasm's Identity copies its input, and TF.js clones every tensor it saves for a gradient: in a MobileNetV2
 * training step that was 900 copies of activations (a fifth of the step). Kernels never write their inputs, so an
 * identity shares the data, counted, as tfjs-wasm's Reshape and TF.js's CPU backend do.
 */
export function shareIdentityOnWasm(): void {
  overrideWasmKernel('Identity', (own) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    if (x.dtype === 'string') return own(args)
    ;(args.backend as WasmBackend).incRef(x.dataId)
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
  })
}
