// What the CLI's `alignet distill` and the distillation job share: a student built from a model of the registry
// on a backend that can train it, its image batches decoded from files, and the trained student saved as a TF.js
// layers model (model.json + weights.bin) that `extract` and the model list load.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { AppError } from '../api/errors'
import { buildStudent, type Augmentation } from '../core/alignet/distill'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { registerModelGradients } from '../core/compute/modelGradients'
import { registerWasmDepthwiseBackpropInput } from '../core/compute/kernels/depthwiseBackpropInput'
import { registerWasmConvolutionGradients } from '../core/compute/kernels/wasmConvolutionGradients'
import { writeFileAtomic } from '../store/artifacts'
import { preprocess, unitPixels } from './extract'
import { loadModel, type LoadedModel } from './model'
import { modelSource } from './sources'

export interface Student {
  model: LoadedModel
  student: tf.LayersModel
  /** The backbone's weights (by name), pulled back toward their pretrained values. */
  pretrained: Set<string>
  layer: string
  backend: BackendName
  /** Why the student trains on another backend than the one chosen, when it does. */
  note: string | null
}

/** What the wasm backend lacks or does slowly for gradients through a model: ours, registered once. */
function registerWasmGradients(): void {
  registerWasmDepthwiseBackpropInput()
  registerWasmConvolutionGradients()
}

// tfjs-wasm has none of the filter gradients and not the depthwise input gradient: we supply them.
const CONVOLUTION_GRADIENTS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']

/** The backend gradients through a model run on: the current one when it has convolution gradients, else the plain CPU backend. */
export async function gradientBackend(current: BackendName): Promise<{ backend: BackendName; note: string | null }> {
  registerModelGradients()
  if (current === 'wasm') registerWasmGradients()
  if (CONVOLUTION_GRADIENTS.every((kernel) => tf.getKernel(kernel, current))) return { backend: current, note: null }
  await chooseBackend({ force: 'cpu' })
  return { backend: 'cpu', note: `${current} has no convolution gradients; computed on cpu` }
}

/**
 * The backend input gradients (saliency maps) run on: wasm lacks only the depthwise convolution's input gradient,
 * which we supply; another backend without convolution gradients falls back to cpu.
 */
export async function inputGradientBackend(current: BackendName): Promise<{ backend: BackendName; note: string | null }> {
  registerModelGradients()
  if (current === 'wasm') {
    registerWasmGradients()
    return { backend: current, note: null }
  }
  if (tf.getKernel('Conv2DBackpropInput', current) && tf.getKernel('DepthwiseConv2dNativeBackpropInput', current)) return { backend: current, note: null }
  return gradientBackend(current)
}

export async function prepareStudent(name: string, layer: string | undefined, headUnits: number | null, seed: number, backend: BackendName): Promise<Student> {
  const training = await gradientBackend(backend)
  const model = await loadModel(modelSource(name))
  if (!model.layersModel) throw new AppError('user', `${model.title} is a graph model, which TF.js cannot train; a student must be a layers model.`)
  const base = model.layersModel
  const cut = layer ?? model.defaultLayer
  if (!base.layers.some((l) => l.name === cut)) throw new AppError('user', `${model.title} has no layer ${cut}.`)
  const pretrained = new Set(base.trainableWeights.map((w) => w.name))
  return { model, student: buildStudent(base, cut, headUnits, seed), pretrained, layer: cut, ...training }
}

/** A hash of (seed, step, image, salt) (murmur3's finaliser): no state, so a resumed run draws the same. */
function hash(seed: number, step: number, id: number, salt: number): number {
  let h = (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b) ^ Math.imul(id + 1, 0xc2b2ae35) ^ Math.imul(salt, 0x27d4eb2f)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** A uniform draw in [0, 1). */
const draw = (seed: number, step: number, id: number, salt: number): number => hash(seed, step, id, salt) / 2 ** 32

/** Whether image `id` is mirrored at `step`: one bit of the hash. */
export const flipped = (seed: number, step: number, id: number): boolean => (hash(seed, step, id, 0) & 1) === 1

export interface CropBox {
  left: number
  top: number
  width: number
  height: number
}

/** Crops keep half to all of the image: the teacher's similarities are of whole images, so a crop must keep most of the object. */
export const CROP_AREA: [number, number] = [0.5, 1]
const CROP_RATIO: [number, number] = [3 / 4, 4 / 3]

/**
 * The part of a `width` × `height` image used for image `id` at `step`: torchvision's RandomResizedCrop drawn once
 * (area fraction uniform in CROP_AREA, aspect log-uniform in 3:4…4:3), clamped to the image instead of redrawn.
 */
export function cropBox(seed: number, step: number, id: number, [height, width]: [number, number]): CropBox {
  const area = (CROP_AREA[0] + (CROP_AREA[1] - CROP_AREA[0]) * draw(seed, step, id, 1)) * width * height
  const ratio = Math.exp(Math.log(CROP_RATIO[0]) + Math.log(CROP_RATIO[1] / CROP_RATIO[0]) * draw(seed, step, id, 2))
  const w = Math.max(1, Math.min(width, Math.round(Math.sqrt(area * ratio))))
  const h = Math.max(1, Math.min(height, Math.round(Math.sqrt(area / ratio))))
  return { left: Math.floor(draw(seed, step, id, 3) * (width - w + 1)), top: Math.floor(draw(seed, step, id, 4) * (height - h + 1)), width: w, height: h }
}

/** Mirrors an H × W × 3 image left-right, in place. */
function mirror(pixels: Float32Array, at: number, height: number, width: number): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width >> 1; x++) {
      const [a, b] = [at + (y * width + x) * 3, at + (y * width + width - 1 - x) * 3]
      for (let c = 0; c < 3; c++) [pixels[a + c], pixels[b + c]] = [pixels[b + c]!, pixels[a + c]!]
    }
  }
}

/** A crop of the image file, stretched to the model's input, in [0, 1]. */
async function croppedPixels(path: string, [height, width]: [number, number], box: (size: [number, number]) => CropBox): Promise<Float32Array> {
  try {
    const meta = await sharp(path).metadata()
    if (!meta.width || !meta.height) throw new Error('no image size')
    const pixels = await sharp(path).extract(box([meta.height, meta.width])).resize(width, height, { fit: 'fill' }).removeAlpha().toColourspace('srgb').raw().toBuffer()
    return unitPixels(pixels)
  } catch (err) {
    throw new AppError('user', `${path} cannot be read as an image (${err instanceof Error ? err.message : String(err)}). Remove or replace it.`)
  }
}

/** How images are varied between steps (see DistillConfig.augment). */
export function augmentation(name: Augmentation, seed: number): { flip: boolean; crop: boolean; seed: number } {
  return { flip: name === 'flip' || name === 'crop+flip', crop: name === 'crop' || name === 'crop+flip', seed }
}

/**
 * A batch loader over image files: the images with the given indices, preprocessed for the model, cropped and
 * mirrored at the steps the hash picks when augmenting (decoded in the job's thread, off the window's).
 */
export function imageBatches(paths: string[], [height, width]: [number, number], augment = augmentation('none', 0)): (ids: Int32Array, step: number) => Promise<tf.Tensor4D> {
  return async (ids, step) => {
    const size = height * width * 3
    const pixels = new Float32Array(ids.length * size)
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      const path = paths[id]!
      pixels.set(augment.crop ? await croppedPixels(path, [height, width], (image) => cropBox(augment.seed, step, id, image)) : await preprocess(path, [height, width]), i * size)
      if (augment.flip && flipped(augment.seed, step, id)) mirror(pixels, i * size, height, width)
    }
    return tf.tensor4d(pixels, [ids.length, height, width, 3])
  }
}

/** Writes the student as a TF.js layers model into `folder` (created). */
export async function saveStudent(student: tf.LayersModel, folder: string, generatedBy: string): Promise<void> {
  mkdirSync(folder, { recursive: true })
  await student.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileAtomic(join(folder, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer))
      const json = { format: 'layers-model', generatedBy, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }
      writeFileAtomic(join(folder, 'model.json'), Buffer.from(JSON.stringify(json)))
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
}

/** The mean divergence over a run of steps. */
export const meanDivergence = (divergences: number[]) => divergences.reduce((s, d) => s + d, 0) / Math.max(1, divergences.length)
