// The Sinkhorn sweep of sinkhorn.wat, instantiated once per thread, with a workspace in its memory: K (float32)
// and the vectors a solve needs (float64), as views. One solve uses it at a time (a solve is synchronous).
import { WASM_BASE64 } from './sinkhornWasm'

interface Exports {
  memory: WebAssembly.Memory
  sweep(k: number, n: number, m: number, v: number, a: number, u: number, next: number, limit: number): number
  columnSums(k: number, n: number, m: number, u: number, out: number): void
}

export interface SinkhornWorkspace {
  /** n × m, row-major, float32. */
  k: Float32Array
  a: Float64Array
  u: Float64Array
  v: Float64Array
  /** Kᵀu for the current u. */
  ktu: Float64Array
  /** u_i = a_i / (K v)_i for every row, and ktu = Kᵀu for that u; true when some u_i left [1/limit, limit]. */
  sweep(limit: number): boolean
  /** ktu = Kᵀu. */
  columnSums(): void
}

let module: Exports | null = null

function kernel(): Exports {
  module ??= new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0)))).exports as unknown as Exports
  return module
}

export function sinkhornWorkspace(n: number, m: number): SinkhornWorkspace {
  const wasm = kernel()
  const sizes = { k: n * m, a: n, u: n, v: m, ktu: m, next: m }
  const width = (key: keyof typeof sizes) => (key === 'k' ? 4 : 8)
  // K first; the float64 vectors after it, on an 8-byte boundary.
  const kBytes = Math.ceil((4 * sizes.k) / 8) * 8
  const bytes = kBytes + 8 * (n + n + m + m + m)
  const missing = bytes - wasm.memory.buffer.byteLength
  if (missing > 0) wasm.memory.grow(Math.ceil(missing / 65_536))
  const at: Record<keyof typeof sizes, number> = { k: 0, a: 0, u: 0, v: 0, ktu: 0, next: 0 }
  let offset = 0
  for (const key of Object.keys(sizes) as (keyof typeof sizes)[]) {
    at[key] = offset
    offset += key === 'k' ? kBytes : width(key) * sizes[key]
  }
  const view = (key: Exclude<keyof typeof sizes, 'k'>) => new Float64Array(wasm.memory.buffer, at[key], sizes[key])
  const space = { k: new Float32Array(wasm.memory.buffer, at.k, sizes.k), a: view('a'), u: view('u'), v: view('v'), ktu: view('ktu') }
  let next: Float64Array = view('next')
  return {
    ...space,
    sweep(limit) {
      const out = wasm.sweep(at.k, n, m, at.v, at.a, at.u, at.next, limit) === 1
      ;[at.ktu, at.next] = [at.next, at.ktu]
      ;[this.ktu, next] = [next, this.ktu]
      return out
    },
    columnSums() {
      wasm.columnSums(at.k, n, m, at.u, at.ktu)
    },
  }
}
