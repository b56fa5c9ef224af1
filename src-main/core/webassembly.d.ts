// The part of the WebAssembly JS API our kernels and the threaded wasm backend's start use. lib.dom declares it, but the main side compiles without
// DOM types and this @types/node does not declare it.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array)
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, unknown>)
    readonly exports: Record<string, unknown>
  }
  function instantiate(bytes: Uint8Array, imports?: Record<string, unknown>): Promise<{ instance: Instance; module: Module }>
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean })
    readonly buffer: ArrayBuffer | SharedArrayBuffer
    grow(pages: number): number
  }
}
