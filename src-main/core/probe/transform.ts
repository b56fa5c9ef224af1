// An affine transform of features, in gLocal's layout: Z = ((X − mean) / std) W + b, with mean and std ONE scalar
// each over the whole feature matrix. Stored as transform.npz (weights p×q, bias q, mean, std) so transforms move
// between HumanAlign and thingsvision/gLocal.
import * as tf from '@tensorflow/tfjs-core'
import type { NpyArray } from '../io/npy'

export interface AffineTransform {
  /** p × q, row-major. */
  weights: Float32Array
  p: number
  q: number
  bias: Float32Array | null
  mean: number
  std: number
}

export class TransformFormatError extends Error {
  override name = 'TransformFormatError'
}

/** The scalar mean and (population) standard deviation of all entries, as numpy's x.mean() and x.std(). */
export function standardization(x: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0
  for (let i = 0; i < x.length; i++) sum += x[i]!
  const mean = sum / x.length
  let squares = 0
  for (let i = 0; i < x.length; i++) squares += (x[i]! - mean) ** 2
  const std = Math.sqrt(squares / x.length)
  return { mean, std: std > 0 ? std : 1 }
}

export function standardize(x: ArrayLike<number>, mean: number, std: number): Float32Array {
  const out = new Float32Array(x.length)
  for (let i = 0; i < x.length; i++) out[i] = (x[i]! - mean) / std
  return out
}

/** The transformed features of n objects, n × q. */
export async function applyTransform(x: Float32Array, n: number, t: AffineTransform): Promise<Float32Array> {
  if (x.length !== n * t.p) throw new TransformFormatError(`the transform expects ${t.p} features per object; these features have ${x.length / n}.`)
  const z = tf.tidy(() => {
    const product = tf.matMul(tf.tensor2d(standardize(x, t.mean, t.std), [n, t.p]), tf.tensor2d(t.weights, [t.p, t.q]))
    return t.bias ? tf.add(product, tf.tensor1d(t.bias)) : product
  })
  const data = (await z.data()) as Float32Array
  z.dispose()
  return data
}

export function transformArrays(t: AffineTransform): Record<string, NpyArray> {
  return {
    weights: { dtype: '<f4', shape: [t.p, t.q], data: t.weights },
    ...(t.bias ? { bias: { dtype: '<f4', shape: [t.q], data: t.bias } } : {}),
    mean: { dtype: '<f8', shape: [], data: Float64Array.of(t.mean) },
    std: { dtype: '<f8', shape: [], data: Float64Array.of(t.std) },
  }
}

function scalar(arrays: Record<string, NpyArray>, name: 'mean' | 'std', fallback: number): number {
  const array = arrays[name]
  if (!array) return fallback
  if (array.data.length !== 1) {
    throw new TransformFormatError(`'${name}' holds ${array.data.length} values; a transform standardises by one scalar ${name} (gLocal's convention).`)
  }
  return Number(array.data[0])
}

/** A transform from transform.npz arrays (weights; bias, mean and std optional). */
export function transformFromArrays(arrays: Record<string, NpyArray>): AffineTransform {
  const weights = arrays.weights
  if (!weights) throw new TransformFormatError(`a transform needs an array 'weights' (p × q); this file has ${Object.keys(arrays).join(', ') || 'no arrays'}.`)
  if (weights.shape.length !== 2) throw new TransformFormatError(`'weights' must be p × q; it is [${weights.shape.join(' × ')}].`)
  const [p, q] = weights.shape as [number, number]
  const bias = arrays.bias
  if (bias && bias.data.length !== q) throw new TransformFormatError(`'bias' has ${bias.data.length} values; the weights need ${q}.`)
  const t: AffineTransform = {
    weights: Float32Array.from(weights.data as ArrayLike<number>),
    p,
    q,
    bias: bias ? Float32Array.from(bias.data as ArrayLike<number>) : null,
    mean: scalar(arrays, 'mean', 0),
    std: scalar(arrays, 'std', 1),
  }
  if (![...t.weights].every(Number.isFinite) || !Number.isFinite(t.mean) || !(t.std > 0)) throw new TransformFormatError('the transform holds non-finite numbers or a std that is not positive.')
  return t
}
