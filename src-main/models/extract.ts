// Feature extraction: images → preprocessed batches → the outputs of one or several layers in one pass →
// pooled to one vector per image. The next batch is decoded (libvips threads) while this one runs.
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { AppError } from '../api/errors'
import { defaultPooling, pooledSize, poolInto, type Pooling } from '../core/models/pooling'
import type { LoadedModel } from './model'

export interface ExtractOptions {
  layers: string[]
  /** One pooling for all layers; by default average for conv maps and the mean token for sequences. */
  pooling?: Pooling
  batchSize: number
  /** After each batch: images done so far, and the rows filled so far (to checkpoint); may throw to stop. */
  progress?(done: number, total: number, rows: LayerFeatures[]): void | Promise<void>
  /** Images to skip (already extracted by a run that was interrupted). */
  start?: number
  /** Where a resumed run's earlier rows are. */
  previous?: Map<string, Float32Array>
}

export interface LayerFeatures {
  layer: string
  pooling: Pooling | null
  p: number
  data: Float32Array
}

/**
 * An image as the model's input: its shorter side resized to the input size and the centre cropped (sharp's
 * "cover"), RGB, scaled to [0, 1] as the nsfwjs models were trained.
 */
export async function preprocess(path: string, [height, width]: [number, number]): Promise<Float32Array> {
  let pixels: Buffer
  try {
    pixels = await sharp(path).resize(width, height, { fit: 'cover', position: 'centre' }).removeAlpha().toColourspace('srgb').raw().toBuffer()
  } catch (err) {
    throw new AppError('user', `${path} cannot be read as an image (${err instanceof Error ? err.message : String(err)}). Remove or replace it.`)
  }
  return Float32Array.from(pixels, (v) => v / 255)
}

function outputsOf(model: LoadedModel, layers: string[]): (x: tf.Tensor4D) => tf.Tensor[] {
  if (model.graphModel) {
    const graph = model.graphModel
    return (x) => {
      const out = graph.execute(x, layers)
      return Array.isArray(out) ? out : [out]
    }
  }
  const base = model.layersModel!
  const known = new Set(base.layers.map((l) => l.name))
  const missing = layers.filter((l) => !known.has(l))
  if (missing.length) throw new AppError('user', `${model.title} has no layer ${missing.join(', ')}. Its layers: ${model.layers.map((l) => l.name).join(', ')}.`)
  const sub = tf.model({ inputs: base.inputs, outputs: layers.map((l) => base.getLayer(l).output as tf.SymbolicTensor) })
  return (x) => {
    const out = sub.predict(x)
    return Array.isArray(out) ? out : [out]
  }
}

export async function extractFeatures(model: LoadedModel, images: string[], options: ExtractOptions): Promise<LayerFeatures[]> {
  if (!options.layers.length) throw new AppError('user', 'Choose at least one layer.')
  const run = outputsOf(model, options.layers)
  const [height, width] = model.inputSize
  const n = images.length
  const batchOf = (start: number) => Promise.all(images.slice(start, start + options.batchSize).map((path) => preprocess(path, model.inputSize)))
  let results: LayerFeatures[] | null = null
  let start = options.start ?? 0
  let next = start < n ? batchOf(start) : null
  while (next) {
    const pixels = await next
    const count = pixels.length
    next = start + count < n ? batchOf(start + count) : null
    const input = new Float32Array(count * height * width * 3)
    pixels.forEach((p, i) => input.set(p, i * height * width * 3))
    const x = tf.tensor4d(input, [count, height, width, 3])
    const outputs = run(x)
    x.dispose()
    if (!results) {
      results = outputs.map((o, k) => {
        const shape = o.shape.slice(1)
        const pooling = shape.length > 1 ? (options.pooling ?? defaultPooling(shape.length)) : null
        const p = pooledSize(shape, pooling ?? 'flatten')
        const data = options.previous?.get(options.layers[k]!) ?? new Float32Array(n * p)
        return { layer: options.layers[k]!, pooling, p, data }
      })
    }
    for (const [k, o] of outputs.entries()) {
      const r = results[k]!
      poolInto((await o.data()) as Float32Array, count, o.shape.slice(1), r.pooling ?? 'flatten', r.data, start)
      o.dispose()
    }
    start += count
    await options.progress?.(start, n, results)
  }
  if (!results) throw new AppError('user', 'There are no images to extract features from.')
  return results
}
