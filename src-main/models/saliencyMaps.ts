// The saliency maps of some of an image list's images, in this thread: what `attentionMaps` runs here, and what each
// helper thread runs for its share of the images (jobs/attentionPool.ts). Image i's SmoothGrad noise is seeded by
// its position in the whole list, so the maps do not depend on how the images are shared out.
import { mkdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { AppError } from '../api/errors'
import { saliencyMap, type SaliencyMethod } from '../core/attention/saliency'
import type { BackendName } from '../core/compute/backendNames'
import { withoutFilterGradients } from '../core/compute/kernels/depthwiseBackpropInput'
import { writeFileAtomic } from '../store/artifacts'
import { embedding, gradCamSplit, lastConvolutionalLayer, predictedClass, targetScore, type AttentionTarget } from './attention'
import { preprocess } from './extract'
import { disposeModel, loadModel, type LoadedModel } from './model'
import { modelSource } from './sources'

/**
 * SmoothGrad's noisy copies per backward pass (targetScore sums over a batch): the 25 Langlois images through
 * MobileNetV2 on wasm took 102 s with 3 or 5, 115 s one at a time; 3 holds 0.9 GiB at peak, 5 1.4 GiB.
 */
const SMOOTHGRAD_BATCH = 3

export type TargetRequest = { kind: 'predicted' } | { kind: 'class'; index: number } | { kind: 'similar'; image: string; layer?: string }

/** What to make: the same for every image, whichever thread makes it. */
export interface MapsWork {
  model: string
  method: SaliencyMethod
  target: TargetRequest
  /** Grad-CAM's layer; the last convolutional layer by default. */
  layer?: string
  samples: number
  sigma: number
  seed: number
  /** Where the PNG overlays go (`overlays/` inside it); null for nowhere. */
  out: string | null
}

/** The maps of a run of images (images × H × W) and what was explained. */
export interface MapsPart {
  model: string
  layer: string | null
  size: [number, number]
  maps: Float32Array
  /** The class each map explains, where the target is a class. */
  targets: number[]
}

export interface MapsHooks {
  /** After each image. */
  onImage?: () => void
  /** Awaited between images and SmoothGrad samples (a job yields there for a cancel). */
  between?: () => Promise<void>
}

/**
 * A map as a heat overlay on its image (red = salient), for looking at: scaled so that its 99th percentile is full
 * heat, since gradient maps put most of their range in a few pixels.
 */
export async function overlayPng(image: Float32Array, map: Float32Array, height: number, width: number, opacity = 0.55): Promise<Buffer> {
  const top = Float32Array.from(map).sort()[Math.floor(0.99 * (map.length - 1))]! || 1
  const rgb = Buffer.alloc(height * width * 3)
  for (let p = 0; p < height * width; p++) {
    const m = Math.min(1, map[p]! / top)
    // A dark-blue → red → yellow ramp.
    const heat = [Math.min(1, 2 * m), Math.max(0, 2 * m - 1), Math.max(0, 0.5 - m)]
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(255 * ((1 - opacity) * image[p * 3 + c]! + opacity * heat[c]!))
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer()
}

async function resolveTarget(model: LoadedModel, request: TargetRequest, size: [number, number]): Promise<(x: tf.Tensor4D) => Promise<AttentionTarget>> {
  if (request.kind === 'class') return async () => ({ kind: 'class', index: request.index })
  if (request.kind === 'predicted') return async (x) => ({ kind: 'class', index: await predictedClass(model, x) })
  const layer = request.layer ?? model.defaultLayer
  const pixels = await preprocess(request.image, size)
  const reference = tf.tidy(() => embedding(model, layer)(tf.tensor4d(pixels, [1, ...size, 3])))
  const values = Float32Array.from(await reference.data())
  reference.dispose()
  return async () => ({ kind: 'embedding', layer, reference: values })
}

/**
 * The maps of `paths`, the images at positions first, first + 1, … of the whole list, on `backend` (already chosen,
 * with the input-gradient kernels registered).
 */
export async function mapsOfImages(work: MapsWork, backend: BackendName, paths: string[], first: number, hooks: MapsHooks = {}): Promise<MapsPart> {
  const model = await loadModel(modelSource(work.model))
  try {
    const size = model.inputSize
    const [height, width] = size
    const camLayer = work.method === 'gradcam' ? (work.layer ?? lastConvolutionalLayer(model)) : null
    if (work.method === 'gradcam' && !camLayer) throw new AppError('user', `${model.title} has no convolutional layer for Grad-CAM.`)
    const targetOf = await resolveTarget(model, work.target, size)
    const maps = new Float32Array(paths.length * height * width)
    const targets: number[] = []
    for (const [k, path] of paths.entries()) {
      const pixels = await preprocess(path, size)
      const x = tf.tensor4d(pixels, [1, height, width, 3])
      const target = await targetOf(x)
      if (target.kind === 'class') targets.push(target.index)
      const compute = () =>
        saliencyMap(work.method, x, targetScore(model, target), {
          smoothGrad: { samples: work.samples, sigma: work.sigma, seed: work.seed + first + k, batch: SMOOTHGRAD_BATCH },
          gradCam: camLayer ? gradCamSplit(model, camLayer, target) : undefined,
          between: hooks.between,
        })
      const map = backend === 'wasm' ? await withoutFilterGradients(compute) : await compute()
      x.dispose()
      maps.set(map, k * height * width)
      if (work.out) {
        mkdirSync(join(work.out, 'overlays'), { recursive: true })
        writeFileAtomic(join(work.out, 'overlays', `${basename(path).replace(/\.[^.]+$/, '')}.png`), await overlayPng(pixels, map, height, width))
      }
      hooks.onImage?.()
      await hooks.between?.()
    }
    return { model: model.title, layer: camLayer, size, maps, targets }
  } finally {
    disposeModel(model)
  }
}
