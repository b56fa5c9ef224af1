// The scores whose saliency a map shows, for a loaded model: a class logit (the pre-softmax value of a softmax
// head), or the cosine similarity of the image's embedding at a layer to a reference embedding; and the split of a
// layers model at a convolutional layer that Grad-CAM needs.
import * as tf from '@tensorflow/tfjs'
import { AppError } from '../api/errors'
import type { Score } from '../core/attention/saliency'
import { layerOutputs, type LoadedModel } from './model'

export type AttentionTarget = { kind: 'class'; index: number } | { kind: 'embedding'; layer: string; reference: Float32Array }

/** An embedding: the layer's output averaged over space when it has spatial axes, flattened. */
function pooled(t: tf.Tensor): tf.Tensor2D {
  return (t.rank === 4 ? tf.mean(t, [1, 2]) : tf.reshape(t, [t.shape[0]!, -1])) as tf.Tensor2D
}

/** The cosine similarity of two embeddings (tensors of the same size, or an embedding and a reference vector). */
export function cosine(a: tf.Tensor, reference: tf.Tensor | Float32Array): tf.Scalar {
  const r = reference instanceof Float32Array ? tf.tensor1d(reference) : reference
  return tf.div(tf.sum(tf.mul(a, r)), tf.mul(tf.norm(a), tf.norm(r))) as tf.Scalar
}

/** Σ over a batch of embeddings (rows) of each one's cosine similarity to the reference. */
function cosineSum(rows: tf.Tensor2D, reference: Float32Array): tf.Scalar {
  const r = tf.tensor1d(reference)
  return tf.sum(tf.div(tf.sum(tf.mul(rows, r), 1), tf.mul(tf.norm(rows, 'euclidean', 1), tf.norm(r)))) as tf.Scalar
}

/** The last layer, when it is a softmax Dense layer: its logits are computed from its kernel and bias. */
function softmaxHead(model: LoadedModel): tf.layers.Layer | null {
  const last = model.layersModel?.layers.at(-1)
  const activation = (last?.getConfig() as { activation?: string } | undefined)?.activation
  return last && last.getClassName() === 'Dense' && activation === 'softmax' ? last : null
}

function logits(head: tf.layers.Layer | null, h: tf.Tensor): tf.Tensor {
  if (!head) return h
  const [kernel, bias] = head.getWeights() as [tf.Tensor2D, tf.Tensor1D | undefined]
  const z = tf.matMul(h as tf.Tensor2D, kernel)
  return bias ? tf.add(z, bias) : z
}

/** The embedding of images at a layer, as used for a similarity target's reference. */
export function embedding(model: LoadedModel, layer: string): (x: tf.Tensor4D) => tf.Tensor2D {
  const forward = layerOutputs(model, [layer])
  return (x) => tf.tidy(() => pooled(forward(x)[0]!))
}

/** The score of one image (batch of one) for the target. */
/** The score of a target for a batch of images: the sum of each image's (SmoothGrad batches its noisy copies). */
export function targetScore(model: LoadedModel, target: AttentionTarget): Score {
  if (target.kind === 'embedding') {
    const embed = embedding(model, target.layer)
    return (x) => tf.tidy(() => cosineSum(embed(x), target.reference))
  }
  const head = softmaxHead(model)
  const forward = head ? layerOutputs(model, [model.layersModel!.layers.at(-2)!.name]) : (x: tf.Tensor4D) => [model.layersModel ? (model.layersModel.predict(x) as tf.Tensor) : (model.graphModel!.predict(x) as tf.Tensor)]
  return (x) =>
    tf.tidy(() => {
      const out = logits(head, forward(x)[0]!)
      const classes = out.shape[out.shape.length - 1]!
      if (target.index >= classes) throw new AppError('user', `${model.title} has ${classes} output classes (0–${classes - 1}); there is no class ${target.index}.`)
      return tf.sum(tf.slice(tf.reshape(out, [x.shape[0], -1]), [0, target.index], [-1, 1])) as tf.Scalar
    })
}

/**
 * The class the model predicts for each image (batch), the usual target of a map. Read asynchronously: tfjs-webgpu
 * reads synchronously only through OffscreenCanvas, which Node lacks.
 */
export async function predictedClass(model: LoadedModel, x: tf.Tensor4D): Promise<number> {
  const best = tf.tidy(() => {
    const out = model.layersModel ? (model.layersModel.predict(x) as tf.Tensor) : (model.graphModel!.predict(x) as tf.Tensor)
    return tf.argMax(tf.reshape(out, [-1]))
  })
  const [index] = await best.data()
  best.dispose()
  return index!
}

/** The last layer with a spatial output (h × w × k, h and w above 1): Grad-CAM's default. */
export function lastConvolutionalLayer(model: LoadedModel): string | null {
  return [...model.layers].reverse().find((l) => l.outputShape.length === 3 && (l.outputShape[0] ?? 0) > 1 && (l.outputShape[1] ?? 0) > 1)?.name ?? null
}

/**
 * Grad-CAM's split of a layers model at `layer`: the activations there, and the score from them, by applying the
 * layers that follow one after another — which needs the model to be a chain after the layer (true of the usual
 * last convolutional layer: pooling and a dense head).
 */
export function gradCamSplit(model: LoadedModel, layer: string, target: AttentionTarget): { activations: (x: tf.Tensor4D) => tf.Tensor4D; scoreOf: (a: tf.Tensor4D) => tf.Scalar } {
  const base = model.layersModel
  if (!base) throw new AppError('user', `Grad-CAM needs a layers model; ${model.title} is a graph model. Use another method.`)
  const index = base.layers.findIndex((l) => l.name === layer)
  if (index < 0) throw new AppError('user', `${model.title} has no layer ${layer}.`)
  const found = model.layers.find((l) => l.name === layer)
  if (!found || found.outputShape.length !== 3) throw new AppError('user', `${layer} is not a convolutional layer (its output is [${found?.outputShape.join(' × ') ?? '?'}]); Grad-CAM needs an h × w × channels output.`)
  const after = base.layers.slice(index + 1)
  after.forEach((l, k) => {
    const inbound = (l.inboundNodes[0]?.inboundLayers ?? []).map((i) => i.name)
    const previous = k === 0 ? layer : after[k - 1]!.name
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new AppError('user', `After ${layer} the model branches (${l.name} takes ${inbound.join(', ') || 'no input'}); Grad-CAM here needs a layer after which the layers follow one another, such as ${lastConvolutionalLayer(model) ?? 'the last convolutional layer'}.`)
    }
  })
  const head = target.kind === 'class' ? softmaxHead(model) : null
  const chain = target.kind === 'class' ? (head ? after.slice(0, -1) : after) : after.slice(0, after.findIndex((l) => l.name === target.layer) + 1)
  if (target.kind === 'embedding' && !after.some((l) => l.name === target.layer)) {
    throw new AppError('user', `The embedding layer ${target.layer} must come after the Grad-CAM layer ${layer}.`)
  }
  const activations = layerOutputs(model, [layer])
  return {
    activations: (x) => activations(x)[0] as tf.Tensor4D,
    scoreOf: (a) => {
      const h = chain.reduce<tf.Tensor>((t, l) => l.apply(t) as tf.Tensor, a)
      if (target.kind === 'embedding') return cosine(pooled(h), target.reference)
      const out = logits(head, h)
      return tf.reshape(tf.slice(tf.reshape(out, [-1]), [target.index], [1]), []) as tf.Scalar
    },
  }
}
