// Triplet similarities gathered from an n×n similarity matrix: for each triplet (i, j, k), with k the human's
// odd-one-out, the three pair similarities in the fixed order [s_ij, s_ik, s_jk].
import * as tf from '@tensorflow/tfjs-core'
import { checkBindingSize, dispatch, outputBuffer, pipeline, readFloat32, tfjsGpuDevice, uniformBuffer, uploadBuffer } from './gpu'
import { TRIPLET_GATHER_WGSL } from './shaders'

export interface Triplets {
  /** N×3 row-major object indices; column 2 is the odd-one-out. */
  indices: Int32Array
  count: number
}

/** Checks every index is inside 0..n-1 and names the first that is not. */
export function checkTripletIndices(triplets: Triplets, n: number): void {
  if (triplets.indices.length !== triplets.count * 3) {
    throw new RangeError(`triplets hold ${triplets.indices.length} indices, expected ${triplets.count} × 3`)
  }
  const { indices } = triplets
  for (let t = 0; t < indices.length; t++) {
    const v = indices[t]!
    if (v < 0 || v >= n) {
      throw new RangeError(`triplet ${Math.floor(t / 3)} refers to object ${v}, but there are ${n} objects (0…${n - 1})`)
    }
  }
}

/** The typed-array loop used on every CPU backend. */
export function tripletGatherCpu(similarity: Float32Array, n: number, triplets: Triplets): Float32Array {
  const { indices, count } = triplets
  const out = new Float32Array(count * 3)
  for (let t = 0, o = 0; t < count; t++, o += 3) {
    const i = indices[o]! * n
    const j = indices[o + 1]!
    const k = indices[o + 2]!
    out[o] = similarity[i + j]!
    out[o + 1] = similarity[i + k]!
    out[o + 2] = similarity[j * n + k]!
  }
  return out
}

/** On WebGPU: one thread per triplet. */
async function tripletGatherWebgpu(similarity: Float32Array, n: number, triplets: Triplets): Promise<Float32Array> {
  const device = tfjsGpuDevice()
  checkBindingSize(device, similarity.byteLength, `the ${n}×${n} similarity matrix`)
  checkBindingSize(device, triplets.count * 12, `${triplets.count} triplets`)
  const s = uploadBuffer(device, similarity, GPUBufferUsage.STORAGE)
  const idx = uploadBuffer(device, new Uint32Array(triplets.indices.buffer, triplets.indices.byteOffset, triplets.indices.length), GPUBufferUsage.STORAGE)
  const output = outputBuffer(device, triplets.count * 12)
  const params = uniformBuffer(device, [n, triplets.count])
  const groups = Math.max(1, Math.ceil(triplets.count / 256))
  const x = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension)
  dispatch(device, pipeline(device, 'tripletGather', TRIPLET_GATHER_WGSL), [s, idx, output, params], [x, Math.ceil(groups / x)])
  try {
    return await readFloat32(device, output, triplets.count * 3)
  } finally {
    for (const buffer of [s, idx, output, params]) buffer.destroy()
  }
}

/** [s_ij, s_ik, s_jk] for every triplet, on the active backend; indices are checked first. */
export async function tripletGather(similarity: Float32Array, n: number, triplets: Triplets): Promise<Float32Array> {
  if (similarity.length !== n * n) throw new RangeError(`the similarity matrix holds ${similarity.length} values, expected ${n} × ${n}`)
  checkTripletIndices(triplets, n)
  return tf.getBackend() === 'webgpu' ? tripletGatherWebgpu(similarity, n, triplets) : tripletGatherCpu(similarity, n, triplets)
}
