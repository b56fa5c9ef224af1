// Jobs behind the exploration views: a 2-D map of a representation, the RSA and CKA matrix between all
// representations of the same objects, and triplets derived from similarity matrices for the triplet browser.
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { AppError } from '../../api/errors'
import { deriveTriplets as derive, DERIVE_MAX_OBJECTS } from '../../core/data/deriveTriplets'
import { averageLinkageOrder } from '../../core/maps/clusterOrder'
import { MAP_MAX_OBJECTS, representationMap, type MapInput } from '../../core/maps/representationMap'
import { linearCka } from '../../core/metrics/cka'
import { averageRanks, CORRELATIONS, pearson } from '../../core/metrics/correlation'
import { upperTriangle } from '../../core/metrics/rdm'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { datasetRdm } from './evaluate'
import { datasetOrder } from '../../evaluate/objectOrder'
import { artifact, asFloat32 } from './projectArrays'

type MapSpec = Extract<JobSpec, { kind: 'map' }>
type CompareSpec = Extract<JobSpec, { kind: 'compare' }>
type DeriveSpec = Extract<JobSpec, { kind: 'deriveTriplets' }>

const METHOD_NAMES = { pca: 'PCA', mds: 'classical MDS', tsne: 't-SNE', umap: 'UMAP' }

/** The representation a map is drawn from: features as they are, similarity matrices as the mean of the subjects' dissimilarities. */
async function mapInput(dataset: DatasetInfo, ctx: JobContext): Promise<MapInput> {
  const array = artifact(ctx, dataset.artifact)
  if (dataset.kind === 'features') {
    const [n, p] = array.shape as [number, number]
    return { kind: 'features', data: asFloat32(array), n, p }
  }
  const { rdm, n } = await datasetRdm(dataset, 'correlation', ctx)
  return { kind: 'dissimilarity', data: rdm, n }
}

export async function map(spec: MapSpec, dataset: DatasetInfo, ctx: JobContext): Promise<JobOutput> {
  ctx.progress(0.02, 'Reading the representation')
  const input = await mapInput(dataset, ctx)
  if (input.n > MAP_MAX_OBJECTS) throw new AppError('user', `"${dataset.name}" has ${input.n} objects; a map draws at most ${MAP_MAX_OBJECTS}.`)
  const started = performance.now()
  ctx.progress(0.05, `${METHOD_NAMES[spec.method]} of ${input.n} objects`)
  const map = await representationMap(input, spec.method, {
    perplexity: spec.perplexity,
    iterations: spec.iterations,
    neighbours: spec.neighbours,
    minDistance: spec.minDistance,
    seed: spec.seed,
    progress: async (fraction) => {
      ctx.progress(0.05 + 0.93 * fraction, `${METHOD_NAMES[spec.method]} of ${input.n} objects`)
      await yieldForCancel(ctx.signal)
    },
  }).catch((err: unknown) => {
    throw err instanceof RangeError ? new AppError('user', `"${dataset.name}": ${err.message}.`) : err
  })
  return {
    result: {
      method: spec.method,
      dataset: dataset.id,
      datasetName: dataset.name,
      n: input.n,
      coordinates: Array.from(map.coordinates, (v) => Number(v.toPrecision(7))),
      explained: map.explained ?? null,
      kl: map.kl ?? null,
      seconds: (performance.now() - started) / 1000,
    },
    run: { kind: 'map', name: `${METHOD_NAMES[spec.method]}: ${dataset.name}`, params: spec },
  }
}

export interface CompareInput {
  datasets: DatasetInfo[]
}

export async function compare(spec: CompareSpec, input: CompareInput, ctx: JobContext): Promise<JobOutput> {
  const { datasets } = input
  const m = datasets.length
  const sides: { triangle: Float64Array; features?: { data: Float32Array; p: number } }[] = []
  let n = -1
  for (const [index, dataset] of datasets.entries()) {
    ctx.progress((0.4 * index) / m, `RDM of ${dataset.name}`)
    await yieldForCancel(ctx.signal)
    const side = await datasetRdm(dataset, spec.rdm, ctx, index ? datasetOrder(datasets[0]!, dataset) : null)
    if (n !== -1 && side.n !== n) throw new AppError('user', `"${dataset.name}" describes ${side.n} objects but "${datasets[0]!.name}" describes ${n}; compare representations of the same objects.`)
    n = side.n
    const triangle = upperTriangle(side.rdm, n)
    sides.push({ triangle: spec.method === 'spearman' ? averageRanks(triangle) : triangle, features: side.features })
  }
  const correlate = spec.method === 'spearman' ? pearson : CORRELATIONS[spec.method]
  const rsa = new Float64Array(m * m)
  const cka: (number | null)[] = new Array<number | null>(m * m).fill(null)
  const pairs = (m * (m + 1)) / 2
  let done = 0
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      ctx.progress(0.4 + (0.6 * done++) / pairs, `Comparing ${datasets[i]!.name} and ${datasets[j]!.name}`)
      await yieldForCancel(ctx.signal)
      rsa[i * m + j] = rsa[j * m + i] = i === j ? 1 : correlate(sides[i]!.triangle, sides[j]!.triangle)
      const [a, b] = [sides[i]!.features, sides[j]!.features]
      if (a && b) cka[i * m + j] = cka[j * m + i] = i === j ? 1 : await linearCka(a.data, a.p, b.data, b.p, n)
    }
  }
  const order = averageLinkageOrder(Float64Array.from(rsa, (r) => 1 - r), m)
  return {
    result: { names: datasets.map((d) => d.name), ids: datasets.map((d) => d.id), n, rsa: Array.from(rsa), cka, order, rdm: spec.rdm, method: spec.method },
    run: { kind: 'compare', name: `comparison of ${m} representations`, params: spec },
  }
}

export function deriveTriplets(spec: DeriveSpec, dataset: DatasetInfo, ctx: JobContext): JobOutput {
  if (dataset.kind !== 'similarity') throw new AppError('user', `"${dataset.name}" is ${dataset.kind}; triplets are derived from similarity matrices.`)
  const array = artifact(ctx, dataset.artifact)
  const n = array.shape[array.shape.length - 1]!
  if (n < 3) throw new AppError('user', `"${dataset.name}" has ${n} object${n === 1 ? '' : 's'}; a triplet needs 3.`)
  if (n > DERIVE_MAX_OBJECTS) throw new AppError('user', `"${dataset.name}" has ${n} objects; every triplet of more than ${DERIVE_MAX_OBJECTS} objects is too many to derive.`)
  const subjects = array.shape.length === 3 ? array.shape[0]! : 1
  ctx.progress(0.1, `Every triplet of ${n} objects, ${subjects} ${subjects === 1 ? 'matrix' : 'subjects'} voting`)
  const derived = derive(array.data as ArrayLike<number>, subjects, n, dataset.meta.measure === 'similarity')
  const name = spec.name ?? `Triplets from ${dataset.name}`
  const ceiling = derived.ceiling === null ? {} : { subjectsCeiling: derived.ceiling }
  const meta = { derivedFrom: dataset.id, derivedFromName: dataset.name, count: derived.count, objects: n, oddOneOut: 2, subjects, tiedMajorities: derived.tied, ...ceiling }
  return {
    result: { dataset: 'triplets', name, count: derived.count, objects: n, subjects, tiedMajorities: derived.tied, ...ceiling },
    outputs: {
      triplets: { dtype: '<i4', shape: [derived.count, 3], data: derived.indices },
      soft: { dtype: '<f4', shape: [derived.count, 3], data: derived.soft },
    },
    records: [{ kind: 'triplets', name, sourcePath: `derived from dataset ${dataset.id}`, output: 'triplets', meta, metaOutputs: { softLabels: 'soft' } }],
  }
}
