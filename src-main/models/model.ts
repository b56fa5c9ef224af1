// A TF.js model loaded for feature extraction: its input size, its layers with output shapes and parameter
// counts, and the layer a researcher usually wants.
import * as tf from '@tensorflow/tfjs'
import { freemem } from 'node:os'
import { AppError } from '../api/errors'
import { batchSizeFor } from '../core/models/pooling'
import { BUILTIN_MODELS, modelArtifacts, type ModelSource } from './sources'

export interface LayerInfo {
  name: string
  className: string
  /** Without the batch axis; null entries are unknown sizes. */
  outputShape: (number | null)[]
  parameters: number
  trainable: boolean
}

export interface LoadedModel {
  id: string
  title: string
  format: 'layers-model' | 'graph-model'
  inputSize: [number, number]
  defaultLayer: string
  layers: LayerInfo[]
  parameters: number
  trainableParameters: number
  layersModel: tf.LayersModel | null
  graphModel: tf.GraphModel | null
}

function layerInfo(layer: tf.layers.Layer): LayerInfo {
  const shape = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (number | null)[]
  return { name: layer.name, className: layer.getClassName(), outputShape: shape.slice(1), parameters: layer.countParams(), trainable: layer.trainable }
}

export async function loadModel(source: ModelSource): Promise<LoadedModel> {
  const artifacts = modelArtifacts(source)
  const id = source.kind === 'builtin' ? source.id : source.path
  const title = source.kind === 'builtin' ? BUILTIN_MODELS[source.id].title : source.path
  try {
    if (artifacts.format === 'graph-model') {
      const graph = await tf.loadGraphModel(tf.io.fromMemory(artifacts))
      const shape = graph.inputs[0]?.shape ?? []
      const nodes = ((artifacts.modelTopology as { node?: { name: string; op: string }[] }).node ?? []).filter((n) => n.op !== 'Const' && n.op !== 'Placeholder')
      return {
        id,
        title,
        format: 'graph-model',
        inputSize: [shape[1] ?? 224, shape[2] ?? 224],
        defaultLayer: graph.outputs[0]?.name ?? nodes.at(-1)?.name ?? '',
        layers: nodes.map((n) => ({ name: n.name, className: n.op, outputShape: [], parameters: 0, trainable: false })),
        parameters: (artifacts.weightSpecs ?? []).reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0),
        trainableParameters: 0,
        layersModel: null,
        graphModel: graph,
      }
    }
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts))
    const shape = model.inputs[0]!.shape
    const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer').map(layerInfo)
    return {
      id,
      title,
      format: 'layers-model',
      inputSize: [shape[1] ?? 224, shape[2] ?? 224],
      defaultLayer: source.kind === 'builtin' ? BUILTIN_MODELS[source.id].defaultLayer : (layers.at(-2) ?? layers.at(-1))!.name,
      layers,
      parameters: model.countParams(),
      trainableParameters: model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0),
      layersModel: model,
      graphModel: null,
    }
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError('user', `${title}: the model could not be loaded (${err instanceof Error ? err.message : String(err)}).`)
  }
}

/**
 * Images per forward pass for this model on the current backend: a quarter of the free memory (at most 2 GiB) on
 * the CPU backends, a quarter of the largest GPU buffer on webgpu.
 */
/** A function from an input batch to the outputs of `layers`, all in one forward pass. */
export function layerOutputs(model: LoadedModel, layers: string[]): (x: tf.Tensor4D) => tf.Tensor[] {
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

export function defaultBatchSize(model: LoadedModel): number {
  const gpu = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device?: GPUDevice }).device : undefined
  const memory = gpu ? gpu.limits.maxBufferSize / 4 : Math.min(2 ** 31, freemem() / 4)
  const shapes = model.layers.length && model.layers.some((l) => l.outputShape.length) ? model.layers.map((l) => l.outputShape) : [[...model.inputSize, 3]]
  return batchSizeFor(shapes, memory)
}

export function disposeModel(model: LoadedModel): void {
  model.layersModel?.dispose()
  model.graphModel?.dispose()
}
