// Entry of a helper thread of an RSA bootstrap: it holds both RDMs (shared memory, not copies) and correlates the
// resamples it is sent, so the resamples of one comparison run on every core.
import { parentPort, workerData } from 'node:worker_threads'
import { RsaResampler } from '../core/metrics/rsa'
import type { BootstrapReply, BootstrapRequest, BootstrapSetup } from './bootstrapPool'

const port = parentPort
if (!port) throw new Error('bootstrapWorker must run in a worker thread')
const { a, b, n, method } = workerData as BootstrapSetup
const resampler = new RsaResampler(new Float64Array(a), new Float64Array(b), n, method)

port.on('message', ({ id, resamples }: BootstrapRequest) => {
  const values = resampler.correlateResamples(resamples)
  port.postMessage({ id, values } satisfies BootstrapReply, [values.buffer as ArrayBuffer])
})
