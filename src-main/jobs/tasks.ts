import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { ModelInfo } from '../api/contract'
import { AppError } from '../api/errors'
import type { BackendName } from '../core/compute/backendNames'
import type { BackendProbe } from '../core/compute/probe'
import type { SimilarityKind } from '../core/metrics/oddOneOut'
import type { FileSummary } from '../files/readers'
import type { ModelProbabilities } from '../evaluate/tripletProbabilities'

export const TASK_WORKER = 'taskWorker.js'
const TIMEOUT_MS = 120_000

/** Short work outside any project, run in a fresh worker thread so the main thread never waits on it. */
export type TaskRequest =
  | { task: 'probeBackends'; requested: BackendName | null }
  | { task: 'inspect'; path: string; header?: boolean }
  | { task: 'describeModel'; id: string }
  | { task: 'tripletProbabilities'; features: string; triplets: string; similarity: SimilarityKind; backend: BackendName | null; order: number[] | null }
export type TaskReply = { ok: true; result: unknown } | { ok: false; message: string; user: boolean }

function runTask<T>(workerDir: string, request: TaskRequest, what: string): Promise<T> {
  const worker = new Worker(join(workerDir, TASK_WORKER), { workerData: request })
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate()
      reject(new Error(`${what} took longer than ${TIMEOUT_MS / 1000} s`))
    }, TIMEOUT_MS)
    worker.once('message', (reply: TaskReply) => {
      clearTimeout(timer)
      if (reply.ok) resolve(reply.result as T)
      else reject(reply.user ? new AppError('user', reply.message) : new Error(reply.message))
    })
    worker.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}

/** Probes every compute backend (each worker chooses its backend once, so the probe gets its own). */
export function probeInWorker(workerDir: string, requested: BackendName | null): Promise<BackendProbe> {
  return runTask(workerDir, { task: 'probeBackends', requested }, 'probing the compute backends')
}

export function inspectInWorker(workerDir: string, path: string, header?: boolean): Promise<FileSummary> {
  return runTask(workerDir, { task: 'inspect', path, ...(header === undefined ? {} : { header }) }, `reading ${path}`)
}

/** Loads a model (on the cpu backend) to list its layers, away from the main thread. */
export function describeModelInWorker(workerDir: string, id: string): Promise<ModelInfo> {
  return runTask(workerDir, { task: 'describeModel', id }, `loading the model ${id}`)
}

/**
 * A model's pair probabilities for every triplet (files of the project's artifacts), on the requested backend (else
 * the best); `order` takes the features' rows in the triplets' object order (they name their objects differently).
 */
export function tripletProbabilitiesInWorker(workerDir: string, files: { features: string; triplets: string }, similarity: SimilarityKind, backend: BackendName | null, order: number[] | null): Promise<ModelProbabilities> {
  return runTask(workerDir, { task: 'tripletProbabilities', ...files, similarity, backend, order }, "computing the model's triplet choices")
}
