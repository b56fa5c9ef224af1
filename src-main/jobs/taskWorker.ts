// Entry of a worker for short tasks outside any project (the doctor's backend probe), so that loading native
// backends never blocks the main thread or the server's event loop.
import { parentPort, workerData } from 'node:worker_threads'
import { probeBackends } from '../core/compute/probe'
import type { TaskRequest } from './tasks'

const port = parentPort
if (!port) throw new Error('taskWorker must run in a worker thread')
const request = workerData as TaskRequest

probeBackends(request.requested)
  .then((result) => port.postMessage({ ok: true, result }))
  .catch((err: unknown) => port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }))
  .finally(() => port.close())
