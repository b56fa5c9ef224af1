// A helper thread of a saliency-map run: it makes the maps of its consecutive images on its own backend and model,
// saying after each image that one more is done, and sends its maps back at the end (attentionPool.ts).
import { parentPort, workerData } from 'node:worker_threads'
import { AppError } from '../api/errors'
import { chooseBackend } from '../core/compute/backend'
import { setWasmThreads } from '../core/compute/wasmThreads'
import { mapsOfImages } from '../models/saliencyMaps'
import { inputGradientBackend } from '../models/student'
import type { MapsMessage, MapsSetup } from './attentionPool'

const port = parentPort
if (!port) throw new Error('attentionWorker must run in a worker thread')
const { work, backend, paths, first, threads } = workerData as MapsSetup
const reply = (message: MapsMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer)

async function main(): Promise<void> {
  setWasmThreads(threads)
  await chooseBackend({ force: backend })
  await inputGradientBackend(backend)
  const part = await mapsOfImages(work, backend, paths, first, { onImage: () => reply({ type: 'image' }) })
  reply({ type: 'done', part }, [part.maps.buffer as ArrayBuffer])
}

main().catch((err: unknown) => reply({ type: 'failed', message: err instanceof Error ? err.message : String(err), user: err instanceof AppError }))
