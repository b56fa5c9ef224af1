// The pairwise products an RDM of features is made of (rowProducts.wat): n rows' dot products or squared Euclidean
// distances, in float64, stripe by stripe in a WebAssembly memory. Each stripe of rows is one call of the kernel
// into a buffer of its thread's, then copied out; threads (jobs/rowProductsPool.ts) share the memory and take
// stripes in turn, so an entry's sum is the same whichever thread computes it.
import { instantiateOnMemory, memoryLayout } from '../compute/wasmModules'
import { WASM_BASE64, WASM_SHARED_MEMORY_BASE64 } from './wasm/rowProductsWasm'

interface RowProductKernels {
  stripe(rows: number, n: number, columns: number, i0: number, i1: number, out: number, stride: number, block: number, squared: number): void
}

export type RowProduct = 'dot' | 'squaredDistance'

export interface StripeSizes {
  /** Bytes of the rows a column block holds (default 384 KiB: 64 rows of 768 float64, within a core's L2). */
  blockBytes: number
  /** Output values of a stripe of rows (default 2 Mi: 16 MiB). */
  stripeValues: number
}

const SIZES: StripeSizes = { blockBytes: 384 * 1024, stripeValues: 2 * 1024 * 1024 }

/** How the work is laid out in the memory: plain numbers, so that it travels to helper threads. */
export interface StripePlan {
  n: number
  p: number
  /** p made even (the rows are zero-padded: a zero adds nothing to either sum). */
  columns: number
  /** Values per output row: n rounded up to a multiple of 4 (a tile of 4 columns may start at column n − 1). */
  stride: number
  /** Rows per stripe (even: a tile is 2 rows), and how many stripes cover the n rows. */
  stripeRows: number
  stripes: number
  /** Rows per column block (a multiple of 4). */
  block: number
  squared: 0 | 1
  /** Byte offsets: the rows (3 zero rows after the last), then each thread's stripe buffer (one row more than a stripe). */
  rowsAt: number
  buffersAt: number[]
  bytes: number
}

export function planStripes(n: number, p: number, product: RowProduct, threads = 1, sizes: StripeSizes = SIZES): StripePlan {
  const columns = p + (p % 2)
  const stride = Math.ceil(n / 4) * 4
  // On several threads, 8 stripes a thread: taken in turn, the long first rows first, they even out the work.
  const wanted = threads > 1 ? Math.ceil(n / (8 * threads)) : n
  const stripeRows = Math.max(2, Math.min(wanted + (wanted % 2), 2 * Math.floor(sizes.stripeValues / stride / 2)))
  const block = Math.max(4, 4 * Math.floor(sizes.blockBytes / (8 * columns) / 4))
  const buffers = Array.from({ length: threads }, (_, t) => `buffer${t}`)
  const lengths: Record<string, number> = { rows: (n + 3) * columns, ...Object.fromEntries(buffers.map((b) => [b, (stripeRows + 1) * stride])) }
  const { at, bytes } = memoryLayout(lengths, () => 8)
  if (bytes > 2 ** 32) throw new RangeError(`${n.toLocaleString('en')} objects × ${p.toLocaleString('en')} features need ${(bytes / 2 ** 30).toFixed(1)} GiB to compare in float64, more than the 4 GiB it can have: use fewer features (e.g. a PCA) or fewer objects`)
  return { n, p, columns, stride, stripeRows, stripes: Math.ceil(n / stripeRows), block, squared: product === 'squaredDistance' ? 1 : 0, rowsAt: at.rows!, buffersAt: buffers.map((b) => at[b]!), bytes }
}

export const pagesOf = (plan: StripePlan) => Math.max(1, Math.ceil(plan.bytes / 65_536))

/** Writes the rows (n × p, row-major) into the memory as the plan lays them out. */
export function loadRows(memory: WebAssembly.Memory, plan: StripePlan, rows: Float64Array): void {
  const { n, p, columns } = plan
  if (rows.length !== n * p) throw new RangeError(`rows hold ${rows.length} values, expected ${n} × ${p}`)
  const padded = new Float64Array(memory.buffer, plan.rowsAt, (n + 3) * columns)
  if (columns === p) padded.set(rows)
  else for (let i = 0; i < n; i++) padded.set(rows.subarray(i * p, (i + 1) * p), i * columns)
}

export const rowProductKernels = (memory: WebAssembly.Memory) => instantiateOnMemory<RowProductKernels>(memory, WASM_BASE64, WASM_SHARED_MEMORY_BASE64)

/**
 * Stripes as `next` hands them out (an index past the last ends it), each into this thread's buffer and then its
 * rows' entries right of the diagonal into `out` (n × n); `done` hears of each finished stripe.
 */
export function runStripes(kernels: RowProductKernels, memory: WebAssembly.Memory, plan: StripePlan, thread: number, next: () => number, out: Float64Array, done: (stripe: number) => void = () => undefined): void {
  const { n, stride, stripeRows } = plan
  const buffer = new Float64Array(memory.buffer, plan.buffersAt[thread]!, (stripeRows + 1) * stride)
  for (let s = next(); s < plan.stripes; s = next()) {
    const i0 = s * stripeRows
    const i1 = Math.min(n, i0 + stripeRows)
    kernels.stripe(plan.rowsAt, n, plan.columns, i0, i1, plan.buffersAt[thread]!, stride, plan.block, plan.squared)
    for (let i = i0; i < i1; i++) out.set(buffer.subarray((i - i0) * stride + i + 1, (i - i0) * stride + n), i * n + i + 1)
    done(s)
  }
}

/** A counter from 0, for one thread taking every stripe. */
export function counter(): () => number {
  let s = 0
  return () => s++
}

/**
 * The n × n matrix whose entries right of the diagonal (j > i) are the product of rows i and j of `rows` (n × p,
 * row-major); the diagonal and the entries left of it are left zero for the caller to fill. On this thread.
 */
export function upperRowProducts(rows: Float64Array, n: number, p: number, product: RowProduct, sizes: StripeSizes = SIZES): Float64Array<ArrayBuffer> {
  const plan = planStripes(n, p, product, 1, sizes)
  const memory = new WebAssembly.Memory({ initial: pagesOf(plan) })
  loadRows(memory, plan, rows)
  const out = new Float64Array(n * n)
  runStripes(rowProductKernels(memory), memory, plan, 0, counter(), out)
  return out
}
