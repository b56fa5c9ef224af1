// Entry of a job's worker thread: chooses the compute backend (when the kind computes), runs one job, and
// reports over the parent port.
import { parentPort, workerData } from 'node:worker_threads'
import { fileProblem } from '../api/errors'
import { chooseBackend, type BackendChoice } from '../core/compute/backend'
import { checkpointDir, readCheckpoint, writeCheckpoint } from './checkpoint'
import { jobKinds } from './kinds'
import { JobCancelled, type FromWorker, type ToWorker, type WorkerData } from './protocol'

const port = parentPort
if (!port) throw new Error('jobWorker must run in a worker thread')
const data = workerData as WorkerData
const abort = new AbortController()
const send = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer)

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') abort.abort()
})

async function run(): Promise<void> {
  let backend: BackendChoice | null = null
  if (data.backend) {
    const log: string[] = []
    backend = await chooseBackend({ force: data.backend.requested ?? undefined, log: (line) => log.push(line) })
    send({ type: 'backend', name: backend.name, log })
  }
  const dir = checkpointDir(data.projectDir, data.jobId)
  const output = await jobKinds[data.spec.kind](data.spec, data.input, {
    projectDir: data.projectDir,
    examplesDir: data.examplesDir,
    signal: abort.signal,
    backend,
    restored: data.resume ? readCheckpoint(dir) : null,
    progress: (fraction, stage) => send({ type: 'progress', fraction, stage }),
    metric: (name, step, value) => send({ type: 'metric', name, step, value }),
    checkpoint: (state, arrays = {}) => {
      writeCheckpoint(dir, { state, arrays })
      send({ type: 'checkpoint' })
    },
  })
  // Each buffer once: arrays read from one file may share it.
  const buffers = [...new Set(Object.values(output.outputs ?? {}).map((a) => a.data.buffer as ArrayBuffer))]
  send({ type: 'done', output }, buffers)
}

run()
  .catch((err: unknown) =>
    send(err instanceof JobCancelled ? { type: 'cancelled' } : { type: 'failed', message: (fileProblem(err) ?? (err instanceof Error ? err : new Error(String(err)))).message }),
  )
  .finally(() => port.close())
