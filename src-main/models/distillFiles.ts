// `humanalign alignet distill`: fine-tune a student (a built-in or user layers model, cut at a layer, plus a
// triplet head) on teacher-labelled triplets in AligNet's .npz layout, whose file names are images in a folder,
// and save it as a TF.js layers model (model.json + weights.bin) that `extract` and the model list load.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AppError } from '../api/errors'
import { decodeAlignet } from '../core/alignet/alignetFile'
import { distill, DISTILL_DEFAULTS, type DistillConfig, type DistillStep } from '../core/alignet/distill'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { augmentation, imageBatches, meanDivergence, prepareStudent, saveStudent } from './student'

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
  const chosen = (await chooseBackend({ force: request.backend ?? undefined })).name
  const { model, student, pretrained, layer, backend, note } = await prepareStudent(request.model, request.layer, config.headUnits, config.seed, chosen)
  const images = imageBatches(names.map((name) => join(folder, name)), model.inputSize, augmentation(config.augment, config.seed))
  const steps = await distill(student, pretrained, { indices, similarities: labelled.similarities, count: labelled.count }, images, config, {
    step: (s) => request.progress?.(s),
  })
  await saveStudent(student, request.out, 'HumanAlign alignet distill')
  const window = Math.min(10, steps.length)
  return {
    model: model.title,
    layer,
    backend,
    ...(note ? { note } : {}),
    images: names.length,
    triplets: labelled.count,
    steps: steps.length,
    divergenceFirst: meanDivergence(steps.slice(0, window).map((s) => s.divergence)),
    divergenceLast: meanDivergence(steps.slice(-window).map((s) => s.divergence)),
    out: resolve(request.out),
  }
}
