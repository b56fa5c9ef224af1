// Saliency maps of a project's image set as a job: the maps stored as one N × H × W artifact, scored against an
// image set or a file of human maps when one is given.
import { basename } from 'node:path'
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { scoreImages } from '../../core/attention/compareMaps'
import { attentionMaps, readMaps, type TargetRequest } from '../../models/attentionFiles'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { imageSetFiles } from './projectArrays'

type AttentionSpec = Extract<JobSpec, { kind: 'attention' }>

export interface AttentionInput {
  images: DatasetInfo
  human: DatasetInfo | null
}

/** What the maps explain: the similarity to an image's embedding, a given class, or each image's predicted class. */
function targetOf(spec: AttentionSpec): TargetRequest {
  if (spec.targetImage) return { kind: 'similar', image: spec.targetImage, ...(spec.targetLayer ? { layer: spec.targetLayer } : {}) }
  return spec.targetClass === undefined ? { kind: 'predicted' } : { kind: 'class', index: spec.targetClass }
}

export async function attention(spec: AttentionSpec, input: AttentionInput, ctx: JobContext): Promise<JobOutput> {
  const list = imageSetFiles(input.images, ctx.projectDir)
  ctx.progress(0.01, 'Loading the model')
  const r = await attentionMaps({
    model: spec.model,
    images: list,
    method: spec.method,
    target: targetOf(spec),
    layer: spec.layer,
    samples: spec.samples,
    sigma: spec.sigma,
    seed: spec.seed,
    out: null,
    backend: ctx.backend?.name ?? null,
    onProgress: (done, total) => ctx.progress(0.02 + (0.93 * done) / total, `Image ${done} of ${total}`),
    between: () => yieldForCancel(ctx.signal),
  })
  const [height, width] = r.size
  const source = input.human ? { path: imageSetFiles(input.human, ctx.projectDir).folder, key: undefined, name: input.human.name } : spec.humanMapsFile ? { path: spec.humanMapsFile, key: spec.humanMapsKey, name: basename(spec.humanMapsFile) } : null
  let scores = null
  let human: Float32Array | null = null
  if (source) {
    ctx.progress(0.96, 'Scoring against the human maps')
    const humans = await readMaps(source.path, source.key, r.images, [height, width])
    const models = Array.from({ length: r.images }, (_, i) => r.maps.subarray(i * height * width, (i + 1) * height * width))
    const { perImage, mean, baseline, aboveBaseline } = scoreImages(models, humans)
    scores = { mean, baseline, aboveBaseline, perImage: perImage.map((s, i) => ({ image: r.names[i]!, ...s })), humanMaps: source.name }
    human = new Float32Array(r.images * height * width)
    humans.forEach((m, i) => human!.set(m, i * height * width))
  }
  const name = `${r.method} maps: ${r.model} on ${input.images.name}`
  return {
    result: { ...r, maps: undefined, names: r.names, imageSet: input.images.id, humanMaps: input.human?.id ?? null, scores, similarTo: spec.targetImage ? basename(spec.targetImage) : null },
    // The human maps are kept at the model maps' size, so the run shows them after the file has moved.
    outputs: { maps: { dtype: '<f4', shape: [r.images, height, width], data: r.maps }, ...(human ? { human: { dtype: '<f4', shape: [r.images, height, width], data: human } } : {}) },
    run: { kind: 'attention', name, params: spec },
  }
}
