// Entry of a worker for short tasks (the doctor's backend probe, looking into a file, listing a model's layers, a
// model's triplet choices for the browser), so
// that loading native backends or parsing a large file never blocks the main thread or the server's event loop.
import { parentPort, workerData } from 'node:worker_threads'
import { AppError } from '../api/errors'
import { probeBackends } from '../core/compute/probe'
import { inspectFile } from '../files/readers'
import { chooseBackend } from '../core/compute/backend'
import { describeModel } from '../models/extractFiles'
import { tripletProbabilities } from '../evaluate/tripletProbabilities'
import type { TaskReply, TaskRequest } from './tasks'

const port = parentPort
if (!port) throw new Error('taskWorker must run in a worker thread')
const request = workerData as TaskRequest

async function work(): Promise<unknown> {
  switch (request.task) {
    case 'probeBackends':
      return probeBackends(request.requested)
    case 'inspect':
      return inspectFile(request.path, request.header)
    case 'describeModel':
      await chooseBackend({ force: 'cpu' })
      return describeModel(request.id)
    case 'tripletProbabilities':
      await chooseBackend({ force: request.backend ?? undefined })
      return tripletProbabilities(request.features, request.triplets, request.similarity, request.order)
  }
}

work()
  .then((result) => port.postMessage({ ok: true, result } satisfies TaskReply))
  .catch((err: unknown) =>
    port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err), user: err instanceof AppError } satisfies TaskReply),
  )
  .finally(() => port.close())
