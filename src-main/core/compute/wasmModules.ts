// Our WebAssembly kernels work on a memory they are given (TF.js's, a shared one for helper threads, or their own):
// instantiating a kernel module on it, and laying arrays out in it.

const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))

/** A module (base64, as scripts/build-wasm.mjs writes it) on `memory`: its shared-memory build where the memory is shared. */
export function instantiateOnMemory<T>(memory: WebAssembly.Memory, plain: string, shared: string): T {
  const isShared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer
  return new WebAssembly.Instance(new WebAssembly.Module(decode(isShared ? shared : plain)), { env: { memory } }).exports as unknown as T
}

/** A module's kernels on a memory, instantiated once per memory. */
export function kernelsPerMemory<T>(plain: string, shared: string): (memory: WebAssembly.Memory) => T {
  const instances = new WeakMap<WebAssembly.Memory, T>()
  return (memory) => {
    let kernels = instances.get(memory)
    if (!kernels) {
      kernels = instantiateOnMemory<T>(memory, plain, shared)
      instances.set(memory, kernels)
    }
    return kernels
  }
}

/**
 * Byte offsets of arrays placed one after another, each of `sizes[key]` entries of `width(key)` bytes and starting on
 * an 8-byte boundary (float64 views need it), and the bytes they take.
 */
export function memoryLayout<K extends string>(sizes: Record<K, number>, width: (key: K) => number): { at: Record<K, number>; bytes: number } {
  const at = {} as Record<K, number>
  let bytes = 0
  for (const key of Object.keys(sizes) as K[]) {
    at[key] = bytes
    bytes += Math.ceil((width(key) * sizes[key]) / 8) * 8
  }
  return { at, bytes }
}
