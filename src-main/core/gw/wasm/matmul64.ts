// The float64 products of matmul64.wat on a memory. Arguments are byte offsets in that memory.
import { instantiateOnMemory } from '../../compute/wasmModules'
import { WASM_BASE64, WASM_SHARED_MEMORY_BASE64 } from './matmul64Wasm'

export interface Matmul64 {
  /** out (n × m) = A (n × k) B (k × m). */
  product(a: number, n: number, k: number, b: number, m: number, out: number): void
  /** out (k × m) = Xᵀ B for X (n × k) and B (n × m). */
  transposedProduct(x: number, n: number, k: number, b: number, m: number, out: number): void
}

export const matmul64 = (memory: WebAssembly.Memory): Matmul64 => instantiateOnMemory<Matmul64>(memory, WASM_BASE64, WASM_SHARED_MEMORY_BASE64)
