// Where models come from: the ImageNet-pretrained backbones that install with the app inside the npm package
// `nsfwjs` (MIT; read from disk, never from the network), and TF.js models (layers or graph model.json + weight
// shards) from a folder of the user's.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import type * as tfTypes from '@tensorflow/tfjs'
import { AppError } from '../api/errors'
import { concatBytes } from '../core/io/bytes'

export interface BuiltinModel {
  title: string
  description: string
  /** Folder under nsfwjs/dist/models. */
  folder: string
  inputSize: number
  /** The layer a researcher wants by default: the penultimate (pre-logits) features. */
  defaultLayer: string
}

export const BUILTIN_MODELS = {
  mobilenet_v2: {
    title: 'MobileNetV2',
    description: 'ImageNet-pretrained MobileNetV2 backbone (224 px) with a 5-class head, from the nsfwjs package (MIT). Penultimate features: 1280-d.',
    folder: 'mobilenet_v2',
    inputSize: 224,
    defaultLayer: 'flatten_1',
  },
  inception_v3: {
    title: 'InceptionV3',
    description: 'ImageNet-pretrained InceptionV3 backbone (299 px) with a 5-class head, from the nsfwjs package (MIT). Penultimate features: 2048-d.',
    folder: 'inception_v3',
    inputSize: 299,
    defaultLayer: 'flatten_1',
  },
} satisfies Record<string, BuiltinModel>

export type BuiltinId = keyof typeof BUILTIN_MODELS

export function isBuiltin(id: string): id is BuiltinId {
  return Object.hasOwn(BUILTIN_MODELS, id)
}

const load = createRequire(__filename)

/** nsfwjs ships each model file as a CommonJS module: model.json's object, and each weight shard as base64. */
function builtinArtifacts(id: BuiltinId): { json: ModelJson; weights: Uint8Array } {
  const root = join(dirname(load.resolve('nsfwjs')), '..', 'models', BUILTIN_MODELS[id].folder)
  const json = load(join(root, 'model.min.js')) as ModelJson
  const shards = json.weightsManifest.flatMap((group) => group.paths).map((path) => Buffer.from(load(join(root, `${path}.min.js`)) as string, 'base64'))
  return { json, weights: concatBytes(shards) }
}

interface ModelJson {
  format?: string
  modelTopology: unknown
  weightsManifest: { paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }[]
  userDefinedMetadata?: Record<string, object>
}

/** model.json and its weight files from a folder (or the path of its model.json). */
function folderArtifacts(path: string): { json: ModelJson; weights: Uint8Array } {
  const file = path.endsWith('.json') ? resolve(path) : join(resolve(path), 'model.json')
  if (!existsSync(file)) throw new AppError('user', `${path}: no model.json there. A TF.js model is a model.json with its weight files (tensorflowjs_converter writes them).`)
  let json: ModelJson
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as ModelJson
  } catch (err) {
    throw new AppError('user', `${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}).`)
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new AppError('user', `${file} is not a TF.js model.json: it needs modelTopology and weightsManifest.`)
  const shards = json.weightsManifest.flatMap((group) => group.paths).map((shard) => {
    const shardPath = join(dirname(file), shard)
    if (!existsSync(shardPath)) throw new AppError('user', `${file} lists the weight file ${shard}, which is missing beside it.`)
    return readFileSync(shardPath)
  })
  return { json, weights: concatBytes(shards) }
}

export type ModelSource = { kind: 'builtin'; id: BuiltinId } | { kind: 'folder'; path: string }

/** A source from what a user types: a built-in id or a folder. */
export function modelSource(name: string): ModelSource {
  if (isBuiltin(name)) return { kind: 'builtin', id: name }
  if (existsSync(name)) return { kind: 'folder', path: resolve(name) }
  throw new AppError('user', `${name} is neither a built-in model (${Object.keys(BUILTIN_MODELS).join(', ')}) nor a folder with a model.json.`)
}

/** The model's artifacts in memory, for tf.io.fromMemory. */
export function modelArtifacts(source: ModelSource): tfTypes.io.ModelArtifacts & { format: 'layers-model' | 'graph-model' } {
  const { json, weights } = source.kind === 'builtin' ? builtinArtifacts(source.id) : folderArtifacts(source.path)
  const format = json.format === 'graph-model' ? 'graph-model' : 'layers-model'
  return {
    modelTopology: json.modelTopology as tfTypes.io.ModelArtifacts['modelTopology'],
    weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    format,
    ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
  }
}
