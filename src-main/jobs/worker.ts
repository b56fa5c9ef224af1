// Entry of a job's worker thread: runs one job and reports over the parent port.
import { parentPort, workerData } from 'node:worker_threads'
import { jobKinds } from './kinds'
import { JobCancelled, type FromWorker, type ToWorker, type WorkerData } from './protocol'

const port = parentPort
if (!port) throw new Error('jobWorker must run in a worker thread')
const data = workerData as WorkerData
const abort = new AbortController()
const send = (message: FromWorker): void => port.postMessage(message)

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') abort.abort()
})

jobKinds[data.spec.kind](data.spec, data.input, {
  projectDir: data.projectDir,
  signal: abort.signal,
  progress: (fraction, stage) => send({ type: 'progress', fraction, stage }),
  metric: (name, step, value) => send({ type: 'metric', name, step, value }),
}).then(
  (result) => send({ type: 'done', result }),
  (err: unknown) =>
    send(err instanceof JobCancelled ? { type: 'cancelled' } : { type: 'failed', message: err instanceof Error ? err.message : String(err) }),
).finally(() => port.close())
