// The pairwise products an RDM of features is made of (rowProducts.wat): n rows' dot products or squared Euclidean
// distances, in float64, stripe by stripe in a WebAssembly memory of their own.
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

/**
 * The n × n matrix whose entries right of the diagonal (j > i) are the product of rows i and j of `rows` (n × p,
 * row-major); the diagonal and the entries left of it are left zero for the caller to fill.
 */
export function upperRowProducts(rows: Float64Array, n: number, p: number, product: RowProduct, sizes: StripeSizes = SIZES): Float64Array {
  if (rows.length !== n * p) throw new RangeError(`rows hold ${rows.length} values, expected ${n} × ${p}`)
  // Even columns and 3 zero rows past the last (a 2 × 4 tile may start on row n − 1 and column n − 1).
  const columns = p + (p % 2)
  const stride = Math.ceil(n / 4) * 4
  const stripeRows = Math.max(2, Math.min(n + (n % 2), 2 * Math.floor(sizes.stripeValues / stride / 2)))
  const block = Math.max(4, 4 * Math.floor(sizes.blockBytes / (8 * columns) / 4))
  const { at, bytes } = memoryLayout({ rows: (n + 3) * columns, out: (stripeRows + 1) * stride }, () => 8)
  if (bytes > 2 ** 32) throw new RangeError(`${n.toLocaleString('en')} objects × ${p.toLocaleString('en')} features need ${(bytes / 2 ** 30).toFixed(1)} GiB to compare in float64, more than the 4 GiB it can have: use fewer features (e.g. a PCA) or fewer objects`)
  const out = new Float64Array(n * n)
  if (n < 2) return out
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65_536) })
  const kernels = instantiateOnMemory<RowProductKernels>(memory, WASM_BASE64, WASM_SHARED_MEMORY_BASE64)
  const padded = new Float64Array(memory.buffer, at.rows, (n + 3) * columns)
  if (columns === p) padded.set(rows)
  else for (let i = 0; i < n; i++) padded.set(rows.subarray(i * p, (i + 1) * p), i * columns)
  const stripe = new Float64Array(memory.buffer, at.out, (stripeRows + 1) * stride)
  for (let i0 = 0; i0 < n; i0 += stripeRows) {
    const i1 = Math.min(n, i0 + stripeRows)
    kernels.stripe(at.rows, n, columns, i0, i1, at.out, stride, block, product === 'squaredDistance' ? 1 : 0)
    for (let i = i0; i < i1; i++) out.set(stripe.subarray((i - i0) * stride + i + 1, (i - i0) * stride + n), i * n + i + 1)
  }
  return out
}
