// The control block shared by the Sinkhorn pool and its helper threads (sinkhornPool.ts, sinkhornWorker.ts).
import type { RowPass } from '../core/gw/wasm/sinkhornKernel'

/** Control block: Int32 slots, then the pass's numbers as Float64 from byte NUMBERS. */
export const SLOT = { generation: 0, done: 1, op: 2, failed: 3, flags: 8 } as const
export const OPS: RowPass['op'][] = ['sweep', 'columnSums', 'fill']
export const PASS_FIELDS = ['k', 'n', 'm', 'v', 'a', 'u', 'out', 'f', 'g', 'cost', 'limit', 'omega', 'eps'] as const
export const NUMBERS = 256
/** One flag slot a block (slots 8 to 55 of the 64 before NUMBERS): at most this many threads. */
export const MAX_BLOCKS = 48

export interface SinkhornHelperSetup {
  memory: WebAssembly.Memory
  control: SharedArrayBuffer
  block: number
  blocks: number
}

