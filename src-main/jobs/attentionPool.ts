// Saliency maps on every core for the CPU backends: the images are shared out in runs of consecutive images, one run
// per helper thread, each with its own backend and copy of the model, its backend on its share of the cores (a
// map's many small passes scale better over images than over XNNPACK's threads inside each pass). Measured here
// (2 cores): SmoothGrad of the 25 Langlois images 78 s in one thread on two XNNPACK threads, 58 s on two helpers of
// one thread each, the same maps.
import { availableParallelism, freemem } from 'node:os'
import { Worker } from 'node:worker_threads'
import { AppError } from '../api/errors'
import type { BackendName } from '../core/compute/backendNames'
import { MAX_WASM_THREADS } from '../core/compute/wasmThreads'
import { mapsOfImages, type MapsHooks, type MapsPart, type MapsWork } from '../models/saliencyMaps'
import { findBuiltWorker } from './builtWorker'

/** A helper's memory at its peak (MobileNetV2, SmoothGrad batches of 3: 0.94 GB measured), with room to spare. */
const HELPER_BYTES = 1.2 * 2 ** 30

export interface MapsSetup {
  work: MapsWork
  backend: BackendName
  paths: string[]
  first: number
  /** The helper's share of the cores, for its backend's own threads. */
  threads: number
}

export type MapsMessage = { type: 'image' } | { type: 'done'; part: MapsPart } | { type: 'failed'; message: string; user: boolean }

/**
 * Backward passes a helper must have to pay for its start (TF.js, the backend and the model: about 1 s here, the
 * time of ~10 MobileNetV2 passes on wasm). Gradient maps of 21 images: 6.2 s in one thread, 5.4 s on two.
 */
const PASSES_PER_HELPER = 30

/**
 * Helpers that pay off: on a CPU backend, one per core, no more than there are images, memory for, or passes
 * to share (SmoothGrad makes `samples` of them an image, the other methods one).
 */
export function mapsThreads(backend: BackendName, work: Pick<MapsWork, 'method' | 'samples'>, images: number, cores = availableParallelism(), free = freemem()): number {
  if (backend !== 'wasm' && backend !== 'cpu') return 1
  const passes = images * (work.method === 'smoothgrad' ? work.samples : 1)
  return Math.max(1, Math.min(cores, images, Math.floor(free / HELPER_BYTES), Math.floor(passes / PASSES_PER_HELPER)))
}

/** A helper's share of the cores, for its own backend's threads (tfjs-wasm's threaded build takes up to 8). */
export function threadsPerHelper(helpers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(cores / helpers)))
}

/** Consecutive runs of `count` items for `threads` helpers, as even as they can be: [first, end) each. */
export function shareOut(count: number, threads: number): [number, number][] {
  return Array.from({ length: threads }, (_, w) => [Math.floor((w * count) / threads), Math.floor(((w + 1) * count) / threads)])
}

/**
 * The maps of all `paths`, on `threads` helpers when there are two or more and the helper is built (else in this
 * thread), with the number of threads that made them. Progress is per image; `between` is awaited after each and,
 * when it throws (a cancel), the helpers are stopped. Parts come back in the images' order.
 */
export async function mapsOnCores(work: MapsWork, backend: BackendName, paths: string[], threads: number, hooks: MapsHooks = {}, workerFile = findBuiltWorker('attentionWorker')): Promise<MapsPart & { threads: number }> {
  const helpers = Math.min(threads, paths.length)
  if (helpers < 2 || workerFile === null) return { ...(await mapsOfImages(work, backend, paths, 0, hooks)), threads: 1 }
  const runs = shareOut(paths.length, helpers)
  const share = threadsPerHelper(helpers)
  const workers = runs.map(([first, end]) => new Worker(workerFile, { workerData: { work, backend, paths: paths.slice(first, end), first, threads: share } satisfies MapsSetup }))
  const events: { from: number; message: MapsMessage }[] = []
  let wake: (() => void) | null = null
  const push = (from: number, message: MapsMessage) => {
    events.push({ from, message })
    wake?.()
  }
  workers.forEach((worker, w) => {
    worker.on('message', (message: MapsMessage) => push(w, message))
    worker.on('error', (err) => push(w, { type: 'failed', message: err.message, user: false }))
    worker.on('exit', (code) => code !== 0 && push(w, { type: 'failed', message: `a saliency thread stopped (exit code ${code})`, user: false }))
  })
  const parts: (MapsPart | null)[] = runs.map(() => null)
  try {
    for (let finished = 0; finished < workers.length; ) {
      if (!events.length) await new Promise<void>((resolve) => (wake = resolve))
      wake = null
      const { from, message } = events.shift()!
      if (message.type === 'failed') throw message.user ? new AppError('user', message.message) : new Error(`making saliency maps failed: ${message.message}`)
      if (message.type === 'done') {
        parts[from] = message.part
        finished++
      } else {
        hooks.onImage?.()
        await hooks.between?.()
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
  const done = parts as MapsPart[]
  const maps = new Float32Array(done.reduce((sum, p) => sum + p.maps.length, 0))
  done.reduce((at, p) => (maps.set(p.maps, at), at + p.maps.length), 0)
  return { ...done[0]!, maps, targets: done.flatMap((p) => p.targets), threads: helpers }
}
