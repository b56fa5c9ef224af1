// The Sinkhorn sweep and kernel fill of sinkhorn.wat, with a workspace in the memory it runs on: K (float32), the
// cost and the vectors a solve needs (float64), as views. Each pass goes over the rows of K, here or split into
// blocks of rows over helper threads on a shared memory (RowPasses); column sums are then summed block by block.
// One solve uses a workspace at a time (a solve is synchronous).
import { kernelsPerMemory, memoryLayout } from '../../compute/wasmModules'
import { WASM_BASE64, WASM_SHARED_MEMORY_BASE64 } from './sinkhornWasm'

export interface SinkhornKernels {
  sweep(k: number, n: number, m: number, v: number, a: number, u: number, next: number, limit: number, omega: number): number
  columnSums(k: number, n: number, m: number, u: number, out: number): void
  fill(k: number, n: number, m: number, f: number, g: number, cost: number, eps: number): void
}

/** The kernels on `memory` (its shared-memory build where the memory is shared), once per memory. */
export const sinkhornKernels = kernelsPerMemory<SinkhornKernels>(WASM_BASE64, WASM_SHARED_MEMORY_BASE64)

/** Byte offsets of one pass's arrays in the memory, for all n rows; `out`: the first block's column sums (m float64). */
export interface RowPass {
  op: 'sweep' | 'columnSums' | 'fill'
  k: number
  n: number
  m: number
  v: number
  a: number
  u: number
  out: number
  f: number
  g: number
  cost: number
  limit: number
  omega: number
  eps: number
}

/** Rows [start, end) of block `block` when n rows are cut into `blocks` (as even as whole rows allow). */
export function blockRows(block: number, blocks: number, n: number): [number, number] {
  return [Math.floor((block * n) / blocks), Math.floor(((block + 1) * n) / blocks)]
}

/**
 * Runs block `block` of a pass: its rows of K, a, u, f and the cost; column sums into its own m-vector (block b's is
 * `out` + b·m·8). Returns 1 where a sweep's scaling left [1/limit, limit], else 0.
 */
export function runBlock(kernels: SinkhornKernels, pass: RowPass, block: number, blocks: number): number {
  const [start, end] = blockRows(block, blocks, pass.n)
  const rows = end - start
  const k = pass.k + 4 * start * pass.m
  const out = pass.out + 8 * block * pass.m
  if (pass.op === 'sweep') return kernels.sweep(k, rows, pass.m, pass.v, pass.a + 8 * start, pass.u + 8 * start, out, pass.limit, pass.omega)
  if (pass.op === 'columnSums') kernels.columnSums(k, rows, pass.m, pass.u + 8 * start, out)
  else kernels.fill(k, rows, pass.m, pass.f + 8 * start, pass.g, pass.cost + 8 * start * pass.m, pass.eps)
  return 0
}

/** Where a workspace's passes run: the memory, and how many blocks of rows a pass is cut into. */
export interface RowPasses {
  memory: WebAssembly.Memory
  blocks: number
  /** Runs every block of the pass (block 0 here); returns 1 where any block's sweep saw a scaling out of range. */
  run(pass: RowPass): number
}

/** Passes on this thread, on a memory of their own. */
function localPasses(): RowPasses {
  const memory = new WebAssembly.Memory({ initial: 1 })
  const kernels = sinkhornKernels(memory)
  return { memory, blocks: 1, run: (pass) => runBlock(kernels, pass, 0, 1) }
}

let local: RowPasses | null = null

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

/** A workspace for an n × m solve on `passes` (this thread by default). */
export function sinkhornWorkspace(n: number, m: number, passes: RowPasses = (local ??= localPasses())): SinkhornWorkspace {
  const { memory, blocks } = passes
  // Column sums: one m-vector a block, twice (Kᵀu now, and the next one a sweep accumulates).
  const sizes = { k: n * m, cost: n * m, f: n, g: m, a: n, u: n, v: m, ktu: m * blocks, next: m * blocks }
  // K in float32 first; the float64 arrays after it.
  const { at, bytes } = memoryLayout(sizes, (key) => (key === 'k' ? 4 : 8))
  const missing = bytes - memory.buffer.byteLength
  if (missing > 0) {
    // WebAssembly addresses 4 GiB: K and the cost take 12 bytes an entry, so about 18,900 objects a side at most.
    const tooLarge = () => new RangeError(`a transport plan of ${n.toLocaleString('en')} × ${m.toLocaleString('en')} needs ${(bytes / 2 ** 30).toFixed(1)} GiB for its Sinkhorn kernel, more than the 4 GiB it can have: use fewer objects (up to about 18,900 a side)`)
    if (bytes > 2 ** 32) throw tooLarge()
    try {
      memory.grow(Math.ceil(missing / 65_536))
    } catch {
      throw tooLarge()
    }
  }
  const view = (key: Exclude<keyof typeof sizes, 'k'>, length = sizes[key]) => new Float64Array(memory.buffer, at[key], length)
  const space = { k: new Float32Array(memory.buffer, at.k, sizes.k), cost: view('cost'), f: view('f'), g: view('g'), a: view('a'), u: view('u'), v: view('v'), ktu: view('ktu', m) }
  const pass = (op: RowPass['op'], out: number, limit = 0, omega = 1, eps = 1): RowPass => ({ op, k: at.k, n, m, v: at.v, a: at.a, u: at.u, out, f: at.f, g: at.g, cost: at.cost, limit, omega, eps })
  /** The blocks' column sums at `out` added into the first block's. */
  const gather = (out: number) => {
    if (blocks === 1) return
    const all = new Float64Array(memory.buffer, out, m * blocks)
    for (let b = 1; b < blocks; b++) for (let j = 0; j < m; j++) all[j]! += all[b * m + j]!
  }
  let next: Float64Array = view('next', m)
  return {
    ...space,
    sweep(limit, omega = 1) {
      const out = passes.run(pass('sweep', at.next, limit, omega)) === 1
      gather(at.next)
      ;[at.ktu, at.next] = [at.next, at.ktu]
      ;[this.ktu, next] = [next, this.ktu]
      return out
    },
    columnSums() {
      passes.run(pass('columnSums', at.ktu))
      gather(at.ktu)
    },
    fill(epsilon) {
      passes.run(pass('fill', 0, 0, 1, epsilon))
    },
  }
}
