// `humanalign extract`: features of a folder (or list) of images from one or several layers, written as .npy
// with file_names.txt beside them (thingsvision's convention), so they feed straight into eval, probe and gw.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { encodeNpy } from '../core/io/npy'
import type { Pooling } from '../core/models/pooling'
import { writeFileAtomic } from '../store/artifacts'
import { extractFeatures, preprocessingOf } from './extract'
import { imageList } from '../files/imageList'
import { commonRoot, folderCategories } from '../files/images'
import { categoryMeans } from '../core/data/categoryMeans'
import { AppError } from '../api/errors'
import { defaultBatchSize, disposeModel, loadModel } from './model'
import { BUILTIN_MODELS, modelSource } from './sources'
import type { ModelInfo } from '../api/contract'

export interface ExtractRequest {
  model: string
  images: string
  layers: string[] | null
  out: string
  pooling?: Pooling
  /** null: sized to the device's memory. */
  batchSize: number | null
  onBadImage: 'abort' | 'skip'
  backend: BackendName | null
  /** One row per subfolder (a THINGS concept, an ImageNet class): the mean of its images' features. */
  meanPerFolder?: boolean
}

/** The images' folders as categories (from the folder that holds them all), refused with fewer than two. */
function imageFolders(paths: string[], images: string): { categories: string[]; membership: Uint8Array } {
  const folders = folderCategories(commonRoot(paths).files)
  if (!folders) throw new AppError('user', `--mean-per-folder averages the images of each subfolder, but the images of ${images} are not in two or more subfolders.`)
  return folders
}

/** Where one layer's features go: `out` for one layer, `out` with `_LAYER` before .npy for several. */
export function layerPath(out: string, layer: string, several: boolean): string {
  return several ? out.replace(/(\.npy)?$/, `_${layer.replace(/[^\w.-]/g, '_')}.npy`) : out
}

export async function extractFiles(request: ExtractRequest) {
  const list = imageList(request.images)
  if (request.meanPerFolder) imageFolders(list.paths, request.images)
  mkdirSync(dirname(request.out), { recursive: true })
  const backend = await chooseBackend({ force: request.backend ?? undefined })
  const model = await loadModel(modelSource(request.model))
  try {
    const layers = request.layers ?? [model.defaultLayer]
    const batchSize = request.batchSize ?? defaultBatchSize(model)
    const started = performance.now()
    const { layers: features, kept, skipped } = await extractFeatures(model, list.paths, { layers, pooling: request.pooling, batchSize, onBadImage: request.onBadImage })
    const seconds = (performance.now() - started) / 1000
    const several = layers.length > 1
    // Per folder: the folders of the images read (an unreadable one skipped leaves its folder's others).
    const folders = request.meanPerFolder ? imageFolders(kept.map((i) => list.paths[i]!), request.images) : null
    const means = folders ? features.map((f) => categoryMeans({ data: f.data, n: kept.length, p: f.p, ids: null, name: f.layer }, { ...folders, names: null, name: 'the folders' })) : null
    const files = features.map((f, k) => {
      const path = layerPath(request.out, f.layer, several)
      const [rows, data] = means ? [means[k]!.ids.length, means[k]!.data] : [kept.length, f.data]
      writeFileAtomic(path, encodeNpy({ dtype: '<f4', shape: [rows, f.p], data }))
      return { layer: f.layer, path, shape: [rows, f.p], pooling: f.pooling }
    })
    const names = join(dirname(request.out), 'file_names.txt')
    const rowNames = means ? means[0]!.ids : kept.map((i) => list.names[i]!)
    writeFileAtomic(names, new TextEncoder().encode(`${rowNames.join('\n')}\n`))
    const perFolder = means ? { folders: { count: means[0]!.ids.length, minImages: Math.min(...means[0]!.counts), maxImages: Math.max(...means[0]!.counts), outside: means[0]!.uncategorised } } : {}
    return {
      ...perFolder,
      model: model.id,
      images: kept.length,
      skipped: skipped.map((s) => ({ image: list.names[s.index], reason: s.reason })),
      inputSize: model.inputSize,
      files,
      fileNames: names,
      batchSize,
      backend: backend.name,
      seconds,
      imagesPerSecond: list.paths.length / seconds,
    }
  } finally {
    disposeModel(model)
  }
}

/** A model's description and layers (what `humanalign models NAME` and the Models page show). */
export async function describeModel(name: string): Promise<ModelInfo> {
  const source = modelSource(name)
  const model = await loadModel(source)
  try {
    const { id, title, format, inputSize, defaultLayer, layers, parameters, trainableParameters } = model
    const description = source.kind === 'builtin' ? BUILTIN_MODELS[source.id].description : `TF.js ${format} from ${source.path}`
    return { id, title, source: source.kind, description, format, inputSize, preprocessing: preprocessingOf(inputSize), defaultLayer, layers, parameters, trainableParameters }
  } finally {
    disposeModel(model)
  }
}
