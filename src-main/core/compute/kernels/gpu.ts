// Small helpers for our own WGSL kernels on the device that tfjs-backend-webgpu already holds, so our kernels
// and tfjs ops share one GPU device and its queue.
import * as tf from '@tensorflow/tfjs-core'

export function tfjsGpuDevice(): GPUDevice {
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device
  if (tf.getBackend() !== 'webgpu' || !device) throw new Error('the webgpu backend is not active')
  return device
}

export function uploadBuffer(device: GPUDevice, data: ArrayBufferView, usage: number): GPUBuffer {
  // Storage bindings want sizes in multiples of 4 bytes.
  const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4)
  const buffer = device.createBuffer({ size, usage: usage | GPUBufferUsage.COPY_DST, mappedAtCreation: true })
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  buffer.unmap()
  return buffer
}

/** A buffer for a kernel's output; `extra` usage for one tfjs adopts (tfjs copies into buffers of its usage). */
export function outputBuffer(device: GPUDevice, bytes: number, extra = 0): GPUBuffer {
  return device.createBuffer({ size: Math.max(16, bytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | extra })
}

export function uniformBuffer(device: GPUDevice, values: number[]): GPUBuffer {
  return uploadBuffer(device, Uint32Array.from(values), GPUBufferUsage.UNIFORM)
}

/**
 * A matMul dimension padded for tfjs-webgpu, which runs its vec4 product only when the inner dimension and the
 * output's columns are multiples of 4 (the scalar one took 1.7–1.8× as long at n = 1854 on SwiftShader).
 */
export function vec4Size(size: number): number {
  return Math.ceil(size / 4) * 4
}

/** A float's bits, for a uniform struct that mixes u32 and f32 fields. */
export function f32Bits(value: number): number {
  return new Uint32Array(Float32Array.of(value).buffer)[0]!
}

/** A workgroup grid of `count` groups within the per-dimension limit: [x, y], x · y ≥ count. */
export function grid(device: GPUDevice, count: number): [number, number] {
  const x = Math.max(1, Math.min(count, device.limits.maxComputeWorkgroupsPerDimension))
  return [x, Math.max(1, Math.ceil(count / x))]
}

/** `length` floats of a buffer, from float `offset` on. */
export async function readFloat32(device: GPUDevice, source: GPUBuffer, length: number, offset = 0): Promise<Float32Array> {
  const bytes = length * 4
  const staging = device.createBuffer({ size: Math.max(16, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
  const encoder = device.createCommandEncoder()
  encoder.copyBufferToBuffer(source, 4 * offset, staging, 0, Math.min(Math.max(16, bytes), source.size - 4 * offset))
  device.queue.submit([encoder.finish()])
  await staging.mapAsync(GPUMapMode.READ)
  const out = new Float32Array(staging.getMappedRange(0, Math.max(16, bytes)).slice(0, bytes))
  staging.unmap()
  staging.destroy()
  return out
}

/** Submits the commands tfjs has recorded but not yet submitted, so that our own submits come after them. */
export function flushTfjs(): void {
  const backend = tf.backend() as unknown as { endComputePassEncoder?: () => void; submitQueue?: () => void; commandEncoder?: GPUCommandEncoder | null }
  if (typeof backend.submitQueue !== 'function' || typeof backend.endComputePassEncoder !== 'function') {
    throw new Error('this tfjs-backend-webgpu cannot be flushed (no submitQueue); the fused probe kernels need it')
  }
  // No encoder: nothing recorded since the last submit.
  if (!backend.commandEncoder) return
  backend.endComputePassEncoder()
  backend.submitQueue()
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>()

/** Compiles a WGSL compute shader once per device. */
export function pipeline(device: GPUDevice, key: string, code: string): GPUComputePipeline {
  let cache = pipelines.get(device)
  if (!cache) pipelines.set(device, (cache = new Map()))
  let compiled = cache.get(key)
  if (!compiled) {
    compiled = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } })
    cache.set(key, compiled)
  }
  return compiled
}

export interface Pass {
  compute: GPUComputePipeline
  buffers: GPUBuffer[]
  groups: [number, number] | [number, number, number]
}

/** Records the passes into one command buffer and submits it once (each submit costs Dawn a fraction of a ms). */
export function dispatchPasses(device: GPUDevice, passes: Pass[]): void {
  const encoder = device.createCommandEncoder()
  for (const { compute, buffers, groups } of passes) {
    const bindGroup = device.createBindGroup({
      layout: compute.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    })
    const pass = encoder.beginComputePass()
    pass.setPipeline(compute)
    pass.setBindGroup(0, bindGroup)
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2] ?? 1)
    pass.end()
  }
  device.queue.submit([encoder.finish()])
}

export function dispatch(device: GPUDevice, compute: GPUComputePipeline, buffers: GPUBuffer[], groups: [number, number] | [number, number, number]): void {
  dispatchPasses(device, [{ compute, buffers, groups }])
}

/** Checks a buffer fits the device's binding limit, naming the array and the limit. */
export function checkBindingSize(device: GPUDevice, bytes: number, what: string): void {
  const limit = device.limits.maxStorageBufferBindingSize
  if (bytes > limit) {
    throw new RangeError(`${what} needs ${bytes} bytes on the GPU; this device binds at most ${limit} bytes per buffer`)
  }
}
