// A helper thread of the Sinkhorn passes (sinkhornPool.ts): it waits on the control block for the next pass, runs its
// block of rows on the shared memory, and counts itself done.
import { parentPort, workerData } from 'node:worker_threads'
import { runBlock, sinkhornKernels, type RowPass } from '../core/gw/wasm/sinkhornKernel'
import { NUMBERS, OPS, PASS_FIELDS, SLOT, type SinkhornHelperSetup } from './sinkhornControl'

const port = parentPort
if (!port) throw new Error('sinkhornWorker must run in a worker thread')
const { memory, control, block, blocks } = workerData as SinkhornHelperSetup
const ints = new Int32Array(control, 0, NUMBERS / 4)
const numbers = new Float64Array(control, NUMBERS, PASS_FIELDS.length)
const kernels = sinkhornKernels(memory)
port.postMessage({ type: 'ready' })

let seen = 0
for (;;) {
  Atomics.wait(ints, SLOT.generation, seen)
  seen = Atomics.load(ints, SLOT.generation)
  try {
    const pass = Object.fromEntries(PASS_FIELDS.map((field, i) => [field, numbers[i]])) as unknown as RowPass
    pass.op = OPS[ints[SLOT.op]!]!
    ints[SLOT.flags + block] = runBlock(kernels, pass, block, blocks)
  } catch (err) {
    console.error(err)
    ints[SLOT.failed] = 1
  }
  Atomics.add(ints, SLOT.done, 1)
  Atomics.notify(ints, SLOT.done)
}
