import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { BackendName } from '../core/compute/backendNames'
import type { BackendProbe } from '../core/compute/probe'

export const TASK_WORKER = 'taskWorker.js'
const TIMEOUT_MS = 120_000

export interface TaskRequest {
  task: 'probeBackends'
  requested: BackendName | null
}

/** Probes every compute backend in a fresh worker thread (each worker chooses its backend once). */
export function probeInWorker(workerDir: string, requested: BackendName | null): Promise<BackendProbe> {
  const request: TaskRequest = { task: 'probeBackends', requested }
  const worker = new Worker(join(workerDir, TASK_WORKER), { workerData: request })
  return new Promise<BackendProbe>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate()
      reject(new Error(`probing the compute backends took longer than ${TIMEOUT_MS / 1000} s`))
    }, TIMEOUT_MS)
    worker.once('message', (reply: { ok: true; result: BackendProbe } | { ok: false; message: string }) => {
      clearTimeout(timer)
      if (reply.ok) resolve(reply.result)
      else reject(new Error(reply.message))
    })
    worker.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}
