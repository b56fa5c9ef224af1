// `humanalign alignet distill`: fine-tune a student (a built-in or user layers model, cut at a layer, plus a
// triplet head) on teacher-labelled triplets in AligNet's .npz layout, whose file names are images in a folder,
// and save it as a TF.js layers model (model.json + weights.bin) that `extract` and the model list load.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { AppError } from '../api/errors'
import { decodeAlignet } from '../core/alignet/alignetFile'
import { buildStudent, distill, DISTILL_DEFAULTS, type DistillConfig, type DistillStep } from '../core/alignet/distill'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { writeFileAtomic } from '../store/artifacts'
import { preprocess } from './extract'
import { loadModel } from './model'
import { modelSource } from './sources'

export interface DistillRequest {
  model: string
  /** The layer the student is cut at (the model's default: its pre-logits). */
  layer?: string
  triplets: string
  images: string
  out: string
  config: Partial<DistillConfig>
  backend: BackendName | null
  progress?(step: DistillStep): void
}

/** The mean divergence over a run of steps. */
const meanDivergence = (steps: DistillStep[]) => steps.reduce((s, r) => s + r.divergence, 0) / Math.max(1, steps.length)

export async function distillFromFiles(request: DistillRequest) {
  const config = { ...DISTILL_DEFAULTS, ...request.config }
  let labelled
  try {
    labelled = decodeAlignet(new Uint8Array(readFileSync(request.triplets)))
  } catch (err) {
    throw new AppError('user', `${request.triplets}: ${err instanceof Error ? err.message : String(err)}`)
  }
  // The file names are the images; each distinct name becomes one image index.
  const names: string[] = []
  const indexOf = new Map<string, number>()
  const indices = Int32Array.from(labelled.filenames, (name) => {
    if (!indexOf.has(name)) indexOf.set(name, names.push(name) - 1)
    return indexOf.get(name)!
  })
  const folder = resolve(request.images)
  const missing = names.filter((name) => !existsSync(join(folder, name)))
  if (missing.length) throw new AppError('user', `${missing.length} of the ${names.length} images named in ${request.triplets} are not in ${folder} (the first: ${missing[0]}). Point --images at the folder the file names are relative to.`)
  let backend = (await chooseBackend({ force: request.backend ?? undefined })).name
  // tfjs-wasm has no convolution gradients: a student trains on the plain CPU backend there.
  const gradients = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']
  const note = gradients.some((kernel) => !tf.getKernel(kernel, backend)) ? `${backend} has no convolution gradients; trained on cpu` : null
  if (note) backend = (await chooseBackend({ force: 'cpu' })).name
  const model = await loadModel(modelSource(request.model))
  if (!model.layersModel) throw new AppError('user', `${model.title} is a graph model, which TF.js cannot train; a student must be a layers model.`)
  const base = model.layersModel
  const layer = request.layer ?? model.defaultLayer
  if (!base.layers.some((l) => l.name === layer)) throw new AppError('user', `${model.title} has no layer ${layer}.`)
  const pretrained = new Set(base.trainableWeights.map((w) => w.name))
  const student = buildStudent(base, layer, config.headUnits, config.seed)
  const images = async (ids: Int32Array) => {
    const size = model.inputSize
    const pixels = new Float32Array(ids.length * size[0] * size[1] * 3)
    for (let i = 0; i < ids.length; i++) pixels.set(await preprocess(join(folder, names[ids[i]!]!), size), i * size[0] * size[1] * 3)
    return tf.tensor4d(pixels, [ids.length, size[0], size[1], 3])
  }
  const steps = await distill(student, pretrained, { indices, similarities: labelled.similarities, count: labelled.count }, images, config, {
    step: (s) => request.progress?.(s),
  })
  mkdirSync(request.out, { recursive: true })
  await student.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer)
      writeFileAtomic(join(request.out, 'weights.bin'), weights)
      const json = { format: 'layers-model', generatedBy: 'HumanAlign alignet distill', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }
      writeFileAtomic(join(request.out, 'model.json'), Buffer.from(JSON.stringify(json)))
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
    }),
  )
  const window = Math.min(10, steps.length)
  return {
    model: model.title,
    layer,
    backend,
    ...(note ? { note } : {}),
    images: names.length,
    triplets: labelled.count,
    steps: steps.length,
    divergenceFirst: meanDivergence(steps.slice(0, window)),
    divergenceLast: meanDivergence(steps.slice(-window)),
    out: resolve(request.out),
  }
}
