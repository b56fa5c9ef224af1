// simdKernels.wat instantiated on the memory of TF.js's WebAssembly backend (once per memory), so that its kernels
// read and write the backend's tensors where they are. Arguments are byte offsets in that memory.
import { kernelsPerMemory } from '../../wasmModules'
import { WASM_BASE64, WASM_SHARED_MEMORY_BASE64 } from './simdKernelsWasm'

export interface SimdKernels {
  /** out = dy where low ≤ x ≤ high, else +0, over n float32 values. */
  clipGradient(dy: number, x: number, out: number, n: number, low: number, high: number): void
  /** dw[c] += x[q · xStep + c] · dy[q · channels + c] for q < count and c < channels (xStep in bytes). */
  depthwiseFilterRow(dw: number, x: number, dy: number, channels: number, count: number, xStep: number): void
  /** dx[q · dxStep + c] += dy[q · channels + c] · w[c] for q < count and c < channels (dxStep in bytes). */
  depthwiseInputRow(dx: number, dy: number, w: number, channels: number, count: number, dxStep: number): void
  /** out[c] = Σ_p x[p · channels + c] over a positions × channels float32 array. */
  channelSums(x: number, out: number, positions: number, channels: number): void
  /** out[p · channels + c] = x[p · channels + c] · scale[c] + shift[c] over positions × channels float32. */
  scaleShift(x: number, scale: number, shift: number, out: number, positions: number, channels: number): void
}

export const simdKernels = kernelsPerMemory<SimdKernels>(WASM_BASE64, WASM_SHARED_MEMORY_BASE64)
