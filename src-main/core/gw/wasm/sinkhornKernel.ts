// The Sinkhorn sweep and kernel fill of sinkhorn.wat, instantiated once per thread, with a workspace in its memory:
// K (float32), the cost and the vectors a solve needs (float64), as views. One solve uses it at a time (a solve is
// synchronous).
import { WASM_BASE64 } from './sinkhornWasm'

interface Exports {
  memory: WebAssembly.Memory
  sweep(k: number, n: number, m: number, v: number, a: number, u: number, next: number, limit: number, omega: number): number
  columnSums(k: number, n: number, m: number, u: number, out: number): void
  fill(k: number, n: number, m: number, f: number, g: number, cost: number, eps: number): void
}

export interface SinkhornWorkspace {
  /** n × m, row-major, float32. */
  k: Float32Array
  /** n × m, row-major. */
  cost: Float64Array
  /** The potentials, n and m. */
  f: Float64Array
  g: Float64Array
  a: Float64Array
  u: Float64Array
  v: Float64Array
  /** Kᵀu for the current u. */
  ktu: Float64Array
  /**
   * x_i = a_i / (K v)_i for every row, u_i = x_i or, with momentum ω ≠ 1, u_i^(1−ω) x_i^ω; ktu = Kᵀu for that u;
   * true when some u_i left [1/limit, limit].
   */
  sweep(limit: number, omega?: number): boolean
  /** ktu = Kᵀu. */
  columnSums(): void
  /** K_ij = exp((f_i + g_j − cost_ij) / ε), rounded to float32 (its exp agrees with Math.exp to a few float64 ulp). */
  fill(epsilon: number): void
}

let module: Exports | null = null

function kernel(): Exports {
  module ??= new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0)))).exports as unknown as Exports
  return module
}

export function sinkhornWorkspace(n: number, m: number): SinkhornWorkspace {
  const wasm = kernel()
  const sizes = { k: n * m, cost: n * m, f: n, g: m, a: n, u: n, v: m, ktu: m, next: m }
  const width = (key: keyof typeof sizes) => (key === 'k' ? 4 : 8)
  // K first; the float64 arrays after it, on an 8-byte boundary.
  const kBytes = Math.ceil((4 * sizes.k) / 8) * 8
  const bytes = kBytes + 8 * (Object.values(sizes).reduce((sum, size) => sum + size, 0) - sizes.k)
  const missing = bytes - wasm.memory.buffer.byteLength
  if (missing > 0) {
    // WebAssembly addresses 4 GiB: K and the cost take 12 bytes an entry, so about 18,900 objects a side at most.
    const tooLarge = () => new RangeError(`a transport plan of ${n.toLocaleString('en')} × ${m.toLocaleString('en')} needs ${(bytes / 2 ** 30).toFixed(1)} GiB for its Sinkhorn kernel, more than the 4 GiB it can have: use fewer objects (up to about 18,900 a side)`)
    if (bytes > 2 ** 32) throw tooLarge()
    try {
      wasm.memory.grow(Math.ceil(missing / 65_536))
    } catch {
      throw tooLarge()
    }
  }
  const at = {} as Record<keyof typeof sizes, number>
  let offset = 0
  for (const key of Object.keys(sizes) as (keyof typeof sizes)[]) {
    at[key] = offset
    offset += key === 'k' ? kBytes : width(key) * sizes[key]
  }
  const view = (key: Exclude<keyof typeof sizes, 'k'>) => new Float64Array(wasm.memory.buffer, at[key], sizes[key])
  const space = { k: new Float32Array(wasm.memory.buffer, at.k, sizes.k), cost: view('cost'), f: view('f'), g: view('g'), a: view('a'), u: view('u'), v: view('v'), ktu: view('ktu') }
  let next: Float64Array = view('next')
  return {
    ...space,
    sweep(limit, omega = 1) {
      const out = wasm.sweep(at.k, n, m, at.v, at.a, at.u, at.next, limit, omega) === 1
      ;[at.ktu, at.next] = [at.next, at.ktu]
      ;[this.ktu, next] = [next, this.ktu]
      return out
    },
    columnSums() {
      wasm.columnSums(at.k, n, m, at.u, at.ktu)
    },
    fill(epsilon) {
      wasm.fill(at.k, n, m, at.f, at.g, at.cost, epsilon)
    },
  }
}
