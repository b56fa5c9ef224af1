// Our WGSL kernels run as programs of tfjs-backend-webgpu itself: recorded into the backend's command stream
// between its own ops, with its uniform and buffer pools, and submitted in its batches. A kernel in a separate
// submit costs Dawn in Node a fraction of a millisecond per call (measured on an H100), more than the GPU work of
// a probe step, so the kernels of a training step go this way.
import * as tf from '@tensorflow/tfjs-core'

export interface ProgramUniform {
  type: 'float32' | 'int32' | 'uint32'
  data: number[]
}

export interface KernelSpec {
  /** Names the pipeline in tfjs's cache (with the input ranks and types). */
  key: string
  /** Binding names of the inputs, in order: `var<storage, read> NAME: array<f32 | i32>`. */
  inputs: string[]
  /** Workgroups of `workgroupSize` threads; the kernel finds its own with groupIndex(). */
  groups: number
  workgroupSize: number
  /** The program-defined fields of `uniforms` ("name: type," each), filled in that order at each run. */
  uniforms: string
  /** The kernel's body: module-scope WGSL with `fn main(index: i32)`; the output binding is `result`. */
  code: string
}

/**
 * Uniform values in the order of `KernelSpec.uniforms`, one scalar each (tfjs aligns an entry of two values as a
 * vec2, which would not match scalar fields).
 */
export function scalarUniforms(fields: [type: ProgramUniform['type'], value: number][]): ProgramUniform[] {
  return fields.map(([type, value]) => ({ type, data: [value] }))
}

/** The linear index of the running workgroup (tfjs spreads large dispatches over two or three dimensions). */
const GROUP_INDEX_WGSL = /* wgsl */ `
fn groupIndex() -> u32 {
  return (workgroupId.z * numWorkgroups.y + workgroupId.y) * numWorkgroups.x + workgroupId.x;
}
`

interface WebGpuBackend {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms: ProgramUniform[], output?: tf.TensorInfo): tf.TensorInfo
}

function program(spec: KernelSpec, outputShape: number[]): object {
  return {
    variableNames: spec.inputs,
    outputShape,
    shaderKey: spec.key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.max(1, spec.groups), 1, 1],
    workgroupSize: [spec.workgroupSize, 1, 1],
    uniforms: spec.uniforms,
    getUserCode: () => GROUP_INDEX_WGSL + spec.code,
  }
}

function webgpuBackend(): WebGpuBackend {
  if (tf.getBackend() !== 'webgpu') throw new Error('the webgpu backend is not active')
  return tf.backend() as unknown as WebGpuBackend
}

/** Runs a kernel into a new float32 tensor of `shape`. */
export function runKernel(spec: KernelSpec, inputs: tf.Tensor[], shape: number[], uniforms: ProgramUniform[]): tf.Tensor {
  const info = webgpuBackend().runWebGPUProgram(program(spec, shape), inputs, 'float32', uniforms)
  return tf.engine().makeTensorFromTensorInfo(info)
}

/** Runs a kernel that updates `target` in place (its whole buffer is bound as `result`). */
export function runKernelInPlace(spec: KernelSpec, inputs: tf.Tensor[], target: tf.Tensor, uniforms: ProgramUniform[]): void {
  webgpuBackend().runWebGPUProgram(program(spec, target.shape), inputs, 'float32', uniforms, target)
}
