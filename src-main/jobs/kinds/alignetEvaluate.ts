// AligNet's last step as a project job: one "base vs aligned" table for two feature sets of the same objects
// (the base model's and the student's) on the human data of the project — odd-one-out accuracy on human
// triplets (and entropy against response time where the triplets have RTs), Spearman RSA with human RDMs and
// their noise ceiling, one-shot and nearest-class-mean classification by category. The CLI's rows.
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { AppError } from '../../api/errors'
import { beforeAfterRows } from '../../evaluate/beforeAfter'
import type { JobContext, JobOutput } from '../protocol'
import { artifact, asFloat32, conceptRows } from './projectArrays'
import { ceilingOf } from './evaluate'
import { datasetOrder, matchedByName, namedOf } from '../../evaluate/objectOrder'
import { renumberTriplets, reorderMatrix, reorderRows } from '../../core/data/objectNames'

type EvaluateSpec = Extract<JobSpec, { kind: 'alignetEvaluate' }>

export interface AlignetEvaluateInput {
  base: DatasetInfo
  aligned: DatasetInfo
  triplets: DatasetInfo | null
  rdms: DatasetInfo | null
  concepts: DatasetInfo | null
}

/** Each object's class, in the order `reference` lists them: its first category (every object needs one). */
function labelsOf(concepts: DatasetInfo, reference: DatasetInfo, n: number, ctx: JobContext): string[] {
  const names = concepts.meta.categories as string[]
  if (Number(concepts.meta.n) !== n) throw new AppError('user', `"${concepts.name}" lists ${String(concepts.meta.n)} objects, not ${n}.`)
  const membership = conceptRows([reference], concepts, ctx)
  const labels = Array.from({ length: n }, (_, i) => names.find((_, c) => membership[i * names.length + c]) ?? '')
  const missing = labels.filter((l) => l === '').length
  if (missing) throw new AppError('user', `${missing} of the ${n} objects of "${concepts.name}" have no category; classification needs one per object.`)
  return labels
}

export async function alignetEvaluate(spec: EvaluateSpec, input: AlignetEvaluateInput, ctx: JobContext): Promise<JobOutput> {
  const features = (dataset: DatasetInfo) => {
    const array = artifact(ctx, dataset.artifact)
    return { data: asFloat32(array), n: array.shape[0]!, p: array.shape[1]! }
  }
  const base = features(input.base)
  const n = base.n
  // Everything in the base's order of the objects, where the datasets name them (the aligned features' names
  // when the base has none: they were taken row by row).
  const alignedOrder = datasetOrder(input.base, input.aligned)
  const reference = namedOf([input.base, input.aligned])
  const unordered = features(input.aligned)
  const aligned = { ...unordered, data: alignedOrder ? reorderRows(unordered.data, unordered.p, alignedOrder) : unordered.data }
  if (aligned.n !== n) throw new AppError('user', `"${input.base.name}" has ${n} objects but "${input.aligned.name}" has ${aligned.n}; both must describe the same objects.`)
  ctx.progress(0.05, 'Reading the human data')
  let triplets: Int32Array | undefined
  let rt: Float32Array | undefined
  let tripletCeiling: number | undefined
  const orders = [alignedOrder]
  if (input.triplets) {
    if (Number(input.triplets.meta.objects) !== n) throw new AppError('user', `"${input.triplets.name}" refers to ${String(input.triplets.meta.objects)} objects, not ${n}.`)
    const indices = artifact(ctx, input.triplets.artifact).data as Int32Array
    // Triplets name their objects' rows of their own list: renumbered as the base's rows.
    const order = datasetOrder(input.triplets, reference)
    orders.push(order)
    triplets = order ? renumberTriplets(indices, order) : indices
    tripletCeiling = ceilingOf(input.triplets, indices).ceiling ?? undefined
    if (input.triplets.meta.rtArtifact) rt = asFloat32(artifact(ctx, input.triplets.meta.rtArtifact))
  }
  let rdms: { data: Float64Array; subjects: number; label: string } | undefined
  if (input.rdms) {
    const array = artifact(ctx, input.rdms.artifact)
    const size = array.shape[array.shape.length - 1]!
    if (size !== n) throw new AppError('user', `"${input.rdms.name}" describes ${size} objects, not ${n}.`)
    const subjects = array.shape.length === 3 ? array.shape[0]! : 1
    const order = datasetOrder(reference, input.rdms)
    orders.push(order)
    // Similarities negated: dissimilarities in the same order reversed, each subject's ranks and the ceiling alike.
    const values = array.data as ArrayLike<number>
    const sign = input.rdms.meta.measure === 'similarity' ? -1 : 1
    const data = new Float64Array(values.length)
    for (let k = 0; k < values.length; k++) data[k] = sign * values[k]!
    rdms = { data: order ? reorderMatrix(data, n, order) : data, subjects, label: input.rdms.name }
  }
  const labels = input.concepts ? labelsOf(input.concepts, reference, n, ctx) : undefined
  ctx.progress(0.1, 'Base against aligned')
  const rows = await beforeAfterRows({ n, base, aligned, ...(triplets ? { triplets } : {}), ...(tripletCeiling === undefined ? {} : { tripletCeiling }), ...(rt ? { rt } : {}), ...(rdms ? { rdms } : {}), ...(labels ? { labels } : {}), bootstrap: spec.bootstrap, seed: spec.seed })
  return {
    result: { base: input.base.name, aligned: input.aligned.name, objects: n, rows, backend: ctx.backend?.name ?? null, ...matchedByName(orders.find((o) => o !== null) ?? null) },
    run: { kind: 'alignetEvaluate', name: `AligNet evaluation: ${input.base.name} vs ${input.aligned.name}`, params: spec },
  }
}
