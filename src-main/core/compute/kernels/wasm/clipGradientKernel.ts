// clipGradient.wat instantiated on the memory of TF.js's WebAssembly backend (once per memory), so that it reads and
// writes the backend's tensors where they are.
import { WASM_BASE64, WASM_SHARED_MEMORY_BASE64 } from './clipGradientWasm'

export interface ClipGradientKernel {
  /** out = dy where low ≤ x ≤ high, else +0, over n float32 values at these byte offsets. */
  clipGradient(dy: number, x: number, out: number, n: number, low: number, high: number): void
}

const instances = new WeakMap<WebAssembly.Memory, ClipGradientKernel>()

const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))

export function clipGradientKernel(memory: WebAssembly.Memory): ClipGradientKernel {
  let kernel = instances.get(memory)
  if (!kernel) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer
    const module = new WebAssembly.Module(decode(shared ? WASM_SHARED_MEMORY_BASE64 : WASM_BASE64))
    kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ClipGradientKernel
    instances.set(memory, kernel)
  }
  return kernel
}
