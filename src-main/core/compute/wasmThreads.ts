// TF.js's WebAssembly backend on several threads in Node. tfjs-backend-wasm turns its threaded build off in Node
// (tfjs issue 3830: it hands Emscripten blob: URLs, which Node's worker threads cannot start), and its build caps
// XNNPACK at half the logical cores it is told of (one thread on a 2-core machine). Here the threaded build is
// started from files on disk and told the cores we choose, so convolutions and products run on that many threads.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'

/** The threaded build starts 8 pthreads with the module and uses no more. */
export const MAX_WASM_THREADS = 8

const GLUE = 'tfjs-backend-wasm-threaded-simd.js'
const BINARY = 'tfjs-backend-wasm-threaded-simd.wasm'

let chosen: number | null = null

/**
 * The threads the wasm backend of this thread will use, set before it starts (a helper thread of a pool takes its
 * share of the cores). Outside 1–8 is refused.
 */
export function setWasmThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) throw new Error(`wasm threads must be an integer from 1 to ${MAX_WASM_THREADS} (got ${threads})`)
  chosen = threads
}

/** As set, else HUMANALIGN_WASM_THREADS, else one per core (at most 8). */
export function wasmThreads(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): number {
  if (chosen !== null) return chosen
  const fromEnv = env.HUMANALIGN_WASM_THREADS
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv)
    if (!Number.isInteger(n) || n < 1) throw new Error(`HUMANALIGN_WASM_THREADS must be a whole number of threads, 1 or more (got "${fromEnv}")`)
    return Math.min(n, MAX_WASM_THREADS)
  }
  return Math.max(1, Math.min(cores, MAX_WASM_THREADS))
}

interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number
  PThread: { runningWorkers: { unref(): void }[] }
}

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm')
type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>

/**
 * The threaded module, started: its pthread script written to a private folder for the moment the 8 threads load
 * it (Emscripten reads it from a path), and the core count it sees set to twice `threads`, so that tfjs-wasm's
 * cap (half of it) is `threads`.
 */
async function startModule(threads: number): Promise<EmscriptenModule & { tfjs: Record<string, unknown> }> {
  const dir = dirname(require.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${GLUE}`))
  const factory = require(join(dir, GLUE)) as Factory
  const { wasmWorkerContents } = require(join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string }
  const binary = readFileSync(join(dir, BINARY))
  const folder = mkdtempSync(join(tmpdir(), 'humanalign-wasm-'))
  try {
    const pthreadScript = join(folder, 'pthread.js')
    // As tfjs-wasm does before making its blob: the script's "\n" escapes arrive as real newlines.
    writeFileSync(pthreadScript, wasmWorkerContents.replace(/\n/g, '\\n'), { mode: 0o600 })
    // Emscripten waits for `receive` for ever: a failed instantiation must settle the start by itself.
    let failed: (err: unknown) => void = () => undefined
    const failure = new Promise<never>((_, reject) => (failed = reject))
    const module = await Promise.race([
      factory({
        locateFile: (file: string) => (file.endsWith('.worker.js') ? pthreadScript : join(dir, file)),
        mainScriptUrlOrBlob: join(dir, GLUE),
        instantiateWasm(imports: { env: Record<string, unknown> }, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
          imports.env.emscripten_num_logical_cores = () => 2 * threads
          WebAssembly.instantiate(binary, imports).then(({ instance, module }) => receive(instance, module), failed)
          return {}
        },
      }),
      failure,
    ])
    // Resolved once the 8 threads have loaded their script: the folder is not read again.
    return Object.assign(module, {
      tfjs: {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      },
    })
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

let registered: Promise<void> | null = null

/**
 * Makes the 'wasm' backend the threaded build on `threads` threads (before it is first activated; once per
 * thread). Throws, leaving tfjs-wasm's own registration in place, when the threaded build cannot start.
 */
export function useThreadedWasm(wasm: WasmPackage, threads: number): Promise<void> {
  registered ??= startModule(threads).then(
    (module) => {
      wasm.setThreadsCount(threads)
      if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm')
      tf.registerBackend(
        'wasm',
        () => {
          const backend = new wasm.BackendWasm(module as unknown as ConstructorParameters<WasmPackage['BackendWasm']>[0])
          // XNNPACK's threads (started just now) wait for work for ever; held, they would keep this thread alive.
          for (const pthread of module.PThread.runningWorkers) pthread.unref()
          return backend
        },
        2,
      )
    },
    (err: unknown) => {
      registered = null
      throw err
    },
  )
  return registered
}
