// Evaluations on the project's own datasets, as jobs: odd-one-out accuracy of a feature set on triplets, RSA
// between two feature sets or similarity matrices, the noise ceiling of several subjects' matrices, and CKA
// between two feature sets. The result is stored as a run of the project.
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { AppError } from '../../api/errors'
import { reorderMatrix, reorderRows } from '../../core/data/objectNames'
import { datasetOrder, matchedByName } from '../../evaluate/objectOrder'
import { rdmNoiseCeiling, tripletNoiseCeiling } from '../../core/metrics/ceiling'
import { linearCka } from '../../core/metrics/cka'
import { perMatrixOfSides, type RsaSide } from '../../core/metrics/perMatrixRsa'
import { matrixCount, matrixNames } from '../../api/matrixNames'
import { oddOneOutAccuracy } from '../../core/metrics/oddOneOut'
import { meanOfMatrices, type RdmMeasure } from '../../core/metrics/rdm'
import { rdmFromFeaturesOnCores } from '../rowProductsPool'
import { tripletSimilarities } from '../../core/metrics/tripletSimilarities'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { resampledRsa } from '../resampledRsa'
import { artifact, asFloat32, conceptRows } from './projectArrays'

type EvaluateSpec = Extract<JobSpec, { kind: 'evaluate' }>

export interface EvaluateInput {
  a: DatasetInfo
  /** Absent only for a noise ceiling, which reads one dataset. */
  b: DatasetInfo | null
  categories: DatasetInfo | null
}

/**
 * An RDM from a features dataset (computed with the measure; the features come along) or a similarity dataset
 * (several subjects averaged; similarities turned into dissimilarities); with `order` (from datasetOrder), its
 * objects taken in that order.
 */
export async function datasetRdm(dataset: DatasetInfo, measure: RdmMeasure, ctx: JobContext, order: number[] | null = null): Promise<{ rdm: Float64Array; n: number; features?: { data: Float32Array; p: number } }> {
  const found = await unorderedRdm(dataset, measure, ctx)
  if (!order) return found
  const { rdm, n, features } = found
  return { rdm: reorderMatrix(rdm, n, order), n, ...(features ? { features: { data: reorderRows(features.data, features.p, order), p: features.p } } : {}) }
}

async function unorderedRdm(dataset: DatasetInfo, measure: RdmMeasure, ctx: JobContext): Promise<{ rdm: Float64Array; n: number; features?: { data: Float32Array; p: number } }> {
  const array = artifact(ctx, dataset.artifact)
  if (dataset.kind === 'features') {
    const [n, p] = array.shape as [number, number]
    const data = asFloat32(array)
    return { rdm: await rdmFromFeaturesOnCores(data, n, p, measure), n, features: { data, p } }
  }
  if (dataset.kind !== 'similarity') throw new AppError('user', `"${dataset.name}" is ${dataset.kind}; choose features or similarity matrices.`)
  const n = array.shape[array.shape.length - 1]!
  const subjects = array.shape.length === 3 ? array.shape[0]! : 1
  const data = array.data as Float64Array
  const mean = meanOfMatrices(data, subjects, n)
  if (dataset.meta.measure === 'similarity') {
    // Similarities become dissimilarities by their distance below the largest: the same order reversed, and
    // affine, so every correlation of RDMs is unchanged in size.
    const top = mean.reduce((a, b) => Math.max(a, b), -Infinity)
    for (let k = 0; k < mean.length; k++) mean[k] = k % (n + 1) === 0 ? 0 : top - mean[k]!
  }
  return { rdm: mean, n }
}

/** How many matrices a side's RDM is the mean of, said in the result where it is several. */
function matricesAveraged(dataset: DatasetInfo, side: 'a' | 'b'): Record<string, number> {
  const count = matrixCount(dataset)
  return count > 1 ? { [`${side}Matrices`]: count } : {}
}

/** A side of an RSA with its several matrices, each oriented as dissimilarities, for the RSA against each. */
function rsaSide(dataset: DatasetInfo, rdm: Float64Array, order: number[] | null, ctx: JobContext): RsaSide {
  const count = matrixCount(dataset)
  if (count < 2) return { rdm, order }
  const data = artifact(ctx, dataset.artifact).data as Float64Array
  // Similarities negated: each subject's ranks (and Pearson's r) reversed, as top − s reverses them.
  return { rdm, order, matrices: { data: dataset.meta.measure === 'similarity' ? data.map((v) => -v) : data, count, names: matrixNames(dataset) } }
}

async function rsa(spec: EvaluateSpec, a: DatasetInfo, b: DatasetInfo, ctx: JobContext): Promise<JobOutput> {
  ctx.progress(0.05, 'Computing the RDMs')
  const order = datasetOrder(a, b)
  const left = await datasetRdm(a, spec.rdm, ctx)
  const right = await datasetRdm(b, spec.rdm, ctx, order)
  if (left.n !== right.n) throw new AppError('user', `"${a.name}" describes ${left.n} objects but "${b.name}" describes ${right.n}; RSA compares the same objects.`)
  ctx.progress(0.1, 'Correlating')
  const result = await resampledRsa(left.rdm, right.rdm, left.n, spec, {
    progress: (fraction, stage) => ctx.progress(0.1 + 0.9 * fraction, stage),
    between: () => yieldForCancel(ctx.signal),
  })
  const perMatrix = perMatrixOfSides(rsaSide(a, left.rdm, null, ctx), rsaSide(b, right.rdm, order, ctx), left.n, spec.method)
  return { result: { ...result, a: a.name, b: b.name, ...matricesAveraged(a, 'a'), ...matricesAveraged(b, 'b'), ...perMatrix, ...matchedByName(order) }, run: { kind: 'rsa', name: `rsa: ${a.name} × ${b.name}`, params: spec } }
}

function ceiling(spec: EvaluateSpec, a: DatasetInfo, ctx: JobContext): JobOutput {
  const run = { kind: 'ceiling', name: `ceiling: ${a.name}`, params: spec }
  if (a.kind === 'triplets') {
    ctx.progress(0.2, 'Grouping repeated triplets')
    const result = tripletNoiseCeiling(artifact(ctx, a.artifact).data as Int32Array, Number(a.meta.count), Number(a.meta.objects))
    if (result.ceiling === null) throw new AppError('user', `No triplet in "${a.name}" was answered more than once; a leave-one-out ceiling needs repeated triplets.`)
    return { result: { ...result, dataset: a.name }, run }
  }
  if (a.kind !== 'similarity') throw new AppError('user', `"${a.name}" is ${a.kind}; a noise ceiling needs similarity matrices of several subjects, or triplets answered by several people.`)
  const array = artifact(ctx, a.artifact)
  const subjects = array.shape.length === 3 ? array.shape[0]! : 1
  if (subjects < 2) throw new AppError('user', `"${a.name}" holds one matrix; a noise ceiling needs one per subject.`)
  const n = array.shape[2]!
  ctx.progress(0.2, `Correlating ${subjects} subjects`)
  const result = rdmNoiseCeiling(array.data as Float64Array, subjects, n, spec.method)
  return { result: { ...result, method: spec.method, subjects, n, dataset: a.name }, run }
}

async function cka(spec: EvaluateSpec, a: DatasetInfo, b: DatasetInfo, ctx: JobContext): Promise<JobOutput> {
  if (a.kind !== 'features' || b.kind !== 'features') throw new AppError('user', `CKA compares two feature sets; got ${a.kind} and ${b.kind}.`)
  const x = artifact(ctx, a.artifact)
  const y = artifact(ctx, b.artifact)
  const [n, px] = x.shape as [number, number]
  const [m, py] = y.shape as [number, number]
  const order = datasetOrder(a, b)
  if (n !== m) throw new AppError('user', `"${a.name}" has ${n} objects but "${b.name}" has ${m}; CKA compares the same objects.`)
  ctx.progress(0.2, 'Gram matrices')
  const value = await linearCka(asFloat32(x), px, order ? reorderRows(asFloat32(y), py, order) : asFloat32(y), py, n, spec.unbiased)
  return { result: { cka: value, unbiased: spec.unbiased, n, a: a.name, b: b.name, ...matchedByName(order) }, run: { kind: 'cka', name: `cka: ${a.name} × ${b.name}`, params: spec } }
}

export async function evaluate(spec: EvaluateSpec, input: EvaluateInput, ctx: JobContext): Promise<JobOutput> {
  const { a, b } = input
  if (spec.metric === 'ceiling') return ceiling(spec, a, ctx)
  if (!b) throw new AppError('user', `${spec.metric} compares two datasets; choose the second.`)
  if (spec.metric === 'rsa') return rsa(spec, a, b, ctx)
  if (spec.metric === 'cka') return cka(spec, a, b, ctx)
  return oddOneOut(spec, a, b, input.categories, ctx)
}

/**
 * The features' rows in the order of the objects the triplets index: as they are, or by name where both name
 * their objects (triplets imported against a named object list); triplets of another object count are refused.
 */
export function featuresForTriplets(features: DatasetInfo, triplets: DatasetInfo, ctx: JobContext): { x: Float32Array; n: number; p: number; order: number[] | null } {
  const array = artifact(ctx, features.artifact)
  const [n, p] = array.shape as [number, number]
  if (Number(triplets.meta.objects) !== n) {
    throw new AppError('user', `"${triplets.name}" refers to ${String(triplets.meta.objects)} objects but "${features.name}" has ${n}; choose triplets of the same object list.`)
  }
  const order = datasetOrder(triplets, features)
  const x = asFloat32(array)
  return { x: order ? reorderRows(x, p, order) : x, n, p, order }
}

/**
 * The ceiling an accuracy is read against: simulated triplets know theirs (the mean probability of the most
 * likely choice); triplets derived from several subjects' matrices, each subject against the others' majority; human
 * triplets answered several times have the leave-one-out majority agreement.
 */
export function ceilingOf(triplets: DatasetInfo, indices: Int32Array): { ceiling: number | null; ceilingKind: 'simulated' | 'leave-one-out' | 'leave-one-subject-out' | null } {
  if (typeof triplets.meta.meanMaxProbability === 'number') return { ceiling: triplets.meta.meanMaxProbability, ceilingKind: 'simulated' }
  // Triplets derived from several subjects' matrices: each subject's choice against the others' majority.
  if (typeof triplets.meta.subjectsCeiling === 'number') return { ceiling: triplets.meta.subjectsCeiling, ceilingKind: 'leave-one-subject-out' }
  const { ceiling } = tripletNoiseCeiling(indices, indices.length / 3, Number(triplets.meta.objects))
  return { ceiling, ceilingKind: ceiling === null ? null : 'leave-one-out' }
}

async function oddOneOut(spec: EvaluateSpec, a: DatasetInfo, b: DatasetInfo, concepts: DatasetInfo | null, ctx: JobContext): Promise<JobOutput> {
  const name = `odd-one-out: ${a.name} × ${b.name}`
  if (a.kind !== 'features' || b.kind !== 'triplets') {
    throw new AppError('user', `odd-one-out needs a features dataset and a triplets dataset; got ${a.kind} and ${b.kind}.`)
  }
  const { x, n, p, order } = featuresForTriplets(a, b, ctx)
  const triplets = artifact(ctx, b.artifact).data as Int32Array
  ctx.progress(0.1, 'Similarities of all pairs, then the triplets')
  const pairs = await tripletSimilarities(x, n, p, triplets, spec.similarity)
  const levels = b.meta.conditionArtifact ? { codes: artifact(ctx, b.meta.conditionArtifact).data as Int32Array, names: b.meta.conditionLevels as string[] } : undefined
  const rt = b.meta.rtArtifact ? (artifact(ctx, b.meta.rtArtifact).data as Float32Array) : undefined
  let categories: { membership: Uint8Array; names: string[] } | undefined
  if (concepts) {
    if (Number(concepts.meta.n) !== n) {
      throw new AppError('user', `"${concepts.name}" lists ${String(concepts.meta.n)} objects but "${a.name}" has ${n}.`)
    }
    // In the triplets' order, which the features were put in.
    categories = { membership: conceptRows([b, a], concepts, ctx), names: concepts.meta.categories as string[] }
  }
  const result = oddOneOutAccuracy(pairs, triplets, n, { levels, rt, categories, temperature: spec.temperature, scatterPoints: 2000 })
  return {
    result: {
      ...result,
      similarity: spec.similarity,
      features: a.name,
      triplets: b.name,
      ...ceilingOf(b, triplets),
      ...matchedByName(order),
      backend: ctx.backend?.name ?? null,
    },
    run: { kind: 'odd-one-out', name, params: spec },
  }
}
