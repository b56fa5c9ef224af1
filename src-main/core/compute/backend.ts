// The backend ladder: tensorflow (native TF, CUDA when present) → webgpu (Dawn) → wasm (XNNPACK) → cpu.
// Chosen once per worker at start; every step that fails says why, and the next one is tried.
import * as tf from '@tensorflow/tfjs-core'

import { BACKENDS, isBackendName, type BackendName } from './backendNames'
import { registerWasmBatchNorm } from './kernels/wasmBatchNorm'
import { registerWasmChannelSums } from './kernels/wasmChannelSums'
import { registerWasmSpatialKernels } from './kernels/wasmSpatialKernels'
import { shareIdentityOnWasm } from './kernels/wasmKernel'
import { useThreadedWasm, wasmThreads } from './wasmThreads'

export { BACKENDS, isBackendName, type BackendName }

export interface GpuAdapterReport {
  vendor: string
  architecture: string
  device: string
  description: string
  limits: Record<string, number>
}

export interface BackendAttempt {
  name: BackendName
  ok: boolean
  /** Why it is unavailable; null when it initialised. */
  reason: string | null
  /** What it runs on, when there is more to say (the native TF package; the WebAssembly threads). */
  detail: string | null
  milliseconds: number
}

export interface BackendChoice {
  name: BackendName
  attempts: BackendAttempt[]
  adapter: GpuAdapterReport | null
  /** What it runs on, as in its attempt. */
  detail: string | null
}

interface Initialised {
  detail?: string
  adapter?: GpuAdapterReport
}

const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
] as const

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!
}

interface DawnModule {
  create(flags: string[]): GPU
  globals: Record<string, unknown>
}

/** Dawn's native bindings, as WebGPU's `navigator.gpu` for Node. Loaded once. */
let dawn: Promise<GPU> | null = null
function nodeGpu(): Promise<GPU> {
  dawn ??= (import('webgpu') as Promise<DawnModule>).then(({ create, globals }) => {
    Object.assign(globalThis, globals)
    const gpu = create([])
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true })
    return gpu
  })
  return dawn
}

async function describeAdapter(adapter: GPUAdapter): Promise<GpuAdapterReport> {
  const info = adapter.info
  const limits: Record<string, number> = {}
  for (const key of LIMITS) limits[key] = Number(adapter.limits[key])
  return { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, limits }
}

async function activate(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`)
  await tf.ready()
}

const initialisers: Record<BackendName, () => Promise<Initialised>> = {
  async tensorflow() {
    const tried: string[] = []
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        require(pkg)
        await activate('tensorflow')
        return { detail: pkg }
      } catch (err) {
        tried.push(`${pkg}: ${message(err)}`)
      }
    }
    throw new Error(`neither native TensorFlow package loads (${tried.join('; ')})`)
  },
  async webgpu() {
    const gpu = await nodeGpu()
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
    if (!adapter) {
      throw new Error('no WebGPU adapter (no GPU driver found; on a CPU-only Linux machine set VK_ICD_FILENAMES to SwiftShader)')
    }
    const report = await describeAdapter(adapter)
    require('@tensorflow/tfjs-backend-webgpu')
    // tfjs submits its recorded commands every 15 dispatches by default; a queue submit costs Dawn in Node a
    // fraction of a millisecond (measured on an H100: most of a probe step's time), so submit less often.
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 100)
    await activate('webgpu')
    return { adapter: report }
  },
  async wasm() {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')
    const entry = require.resolve('@tensorflow/tfjs-backend-wasm')
    wasm.setWasmPaths(entry.replace(/[^\\/]*$/, ''))
    const threads = wasmThreads()
    // One thread runs tfjs-wasm's own single-threaded build; a threaded one that cannot start falls back to it.
    let fallback = ''
    if (threads > 1) await useThreadedWasm(wasm, threads).catch((err: unknown) => (fallback = `; the threaded build did not start: ${message(err)}`))
    shareIdentityOnWasm()
    registerWasmBatchNorm()
    registerWasmChannelSums()
    registerWasmSpatialKernels()
    await activate('wasm')
    const running = wasm.getThreadsCount()
    return { detail: `${running} thread${running === 1 ? '' : 's'}${fallback}` }
  },
  async cpu() {
    require('@tensorflow/tfjs-backend-cpu')
    await activate('cpu')
    return {}
  },
}

/** Tries one backend; the attempt records the reason when it fails. */
export async function tryBackend(name: BackendName): Promise<{ attempt: BackendAttempt; initialised?: Initialised }> {
  const started = performance.now()
  try {
    const initialised = await initialisers[name]()
    return { attempt: { name, ok: true, reason: null, detail: initialised.detail ?? null, milliseconds: performance.now() - started }, initialised }
  } catch (err) {
    return { attempt: { name, ok: false, reason: message(err), detail: null, milliseconds: performance.now() - started } }
  }
}

/**
 * Initialises the first backend of the ladder that works, starting at `force` when given (a forced backend
 * that fails still falls through, and the report says so).
 */
export async function chooseBackend(options: { force?: BackendName; log?: (line: string) => void } = {}): Promise<BackendChoice> {
  const start = options.force ? BACKENDS.indexOf(options.force) : 0
  const attempts: BackendAttempt[] = []
  for (const name of BACKENDS.slice(start)) {
    const { attempt, initialised } = await tryBackend(name)
    attempts.push(attempt)
    if (initialised) return { name, attempts, adapter: initialised.adapter ?? null, detail: initialised.detail ?? null }
    options.log?.(`backend ${name} unavailable: ${attempt.reason}`)
  }
  throw new Error(`no compute backend could be initialised: ${attempts.map((a) => `${a.name}: ${a.reason}`).join('; ')}`)
}
