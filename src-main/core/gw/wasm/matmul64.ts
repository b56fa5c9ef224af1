// The float64 products of matmul64.wat, instantiated once per memory. Arguments are byte offsets in that memory.
import { WASM_BASE64 } from './matmul64Wasm'

export interface Matmul64 {
  /** out (n × m) = A (n × k) B (k × m). */
  product(a: number, n: number, k: number, b: number, m: number, out: number): void
  /** out (k × m) = Xᵀ B for X (n × k) and B (n × m). */
  transposedProduct(x: number, n: number, k: number, b: number, m: number, out: number): void
}

export function matmul64(memory: WebAssembly.Memory): Matmul64 {
  const module = new WebAssembly.Module(Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0)))
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Matmul64
}
