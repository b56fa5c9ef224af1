// What the CLI's `alignet distill` and the distillation job share: a student built from a model of the registry
// on a backend that can train it, its image batches decoded from files, and the trained student saved as a TF.js
// layers model (model.json + weights.bin) that `extract` and the model list load.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { AppError } from '../api/errors'
import { buildStudent } from '../core/alignet/distill'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { writeFileAtomic } from '../store/artifacts'
import { preprocess } from './extract'
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

// tfjs-wasm has no convolution gradients.
const CONVOLUTION_GRADIENTS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']

/** The backend a student trains on: the current one when it has the gradients, else the plain CPU backend. */
async function trainingBackend(current: BackendName): Promise<{ backend: BackendName; note: string | null }> {
  if (CONVOLUTION_GRADIENTS.every((kernel) => tf.getKernel(kernel, current))) return { backend: current, note: null }
  await chooseBackend({ force: 'cpu' })
  return { backend: 'cpu', note: `${current} has no convolution gradients; trained on cpu` }
}

export async function prepareStudent(name: string, layer: string | undefined, headUnits: number | null, seed: number, backend: BackendName): Promise<Student> {
  const training = await trainingBackend(backend)
  const model = await loadModel(modelSource(name))
  if (!model.layersModel) throw new AppError('user', `${model.title} is a graph model, which TF.js cannot train; a student must be a layers model.`)
  const base = model.layersModel
  const cut = layer ?? model.defaultLayer
  if (!base.layers.some((l) => l.name === cut)) throw new AppError('user', `${model.title} has no layer ${cut}.`)
  const pretrained = new Set(base.trainableWeights.map((w) => w.name))
  return { model, student: buildStudent(base, cut, headUnits, seed), pretrained, layer: cut, ...training }
}

/** A batch loader over image files: the images with the given indices, preprocessed for the model. */
export function imageBatches(paths: string[], [height, width]: [number, number]): (ids: Int32Array) => Promise<tf.Tensor4D> {
  return async (ids) => {
    const size = height * width * 3
    const pixels = new Float32Array(ids.length * size)
    for (let i = 0; i < ids.length; i++) pixels.set(await preprocess(paths[ids[i]!]!, [height, width]), i * size)
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
