// AligNet's first steps as project jobs (DESIGN §4): cluster the teacher's (transformed) features over a sweep of
// k with the elbow, then draw synthetic triplets from the clustering, labelled by the teacher, as a triplets
// dataset of the project with the teacher's choice probabilities as soft labels.
import type { DatasetInfo, JobSpec, RunInfo } from '../../api/contract'
import { AppError } from '../../api/errors'
import { elbow, kmeans, type KMeansResult } from '../../core/alignet/kmeans'
import { labelTriplets, nearestClusters, sampleTriplets, teacherProbabilities } from '../../core/alignet/sampling'
import { applyTransform } from '../../core/probe/transform'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { runTransform } from '../../store/runTransform'
import { artifact, asFloat32 } from './projectArrays'

export interface TeacherInput {
  features: DatasetInfo
  transformRun: RunInfo | null
}

/** The teacher's representation: the feature set, transformed by the probe run's transform when there is one. */
async function teacherFeatures(ctx: JobContext, { features, transformRun }: TeacherInput): Promise<{ z: Float32Array; n: number; q: number }> {
  const array = artifact(ctx, features.artifact)
  const [n, p] = array.shape as [number, number]
  const x = asFloat32(array)
  if (!transformRun) return { z: x, n, q: p }
  const transform = runTransform(transformRun, (sha) => artifact(ctx, sha))
  if (transform.p !== p) throw new AppError('user', `The transform of run ${transformRun.id} expects ${transform.p} features; "${features.name}" has ${p}.`)
  return { z: await applyTransform(x, n, transform), n, q: transform.q }
}

/** Up to `count` objects (row numbers) per cluster, for a look at what it holds. */
function examples(labels: Int32Array, k: number, count = 6): number[][] {
  const out = Array.from({ length: k }, () => [] as number[])
  labels.forEach((c, i) => {
    if (out[c]!.length < count) out[c]!.push(i)
  })
  return out
}

type ClustersSpec = Extract<JobSpec, { kind: 'alignetClusters' }>

export async function alignetClusters(spec: ClustersSpec, input: TeacherInput, ctx: JobContext): Promise<JobOutput> {
  ctx.progress(0.01, 'Reading the teacher’s features')
  const { z, n, q } = await teacherFeatures(ctx, input)
  const bad = spec.ks.find((k) => k > n)
  if (bad !== undefined) throw new AppError('user', `k = ${bad} is more than the ${n} objects of "${input.features.name}".`)
  const ks = [...new Set(spec.ks)].sort((a, b) => a - b)
  // Resumed: the inertias of the k already done; the kept clustering is recomputed (deterministic per seed).
  const done = ((ctx.restored?.state ?? null) as { inertias: number[] } | null)?.inertias ?? []
  const inertias = [...done]
  const runs = new Map<number, KMeansResult>()
  const options = (k: number) => ({ k, restarts: spec.restarts, maxIterations: 300, seed: spec.seed, miniBatch: spec.miniBatch ?? null })
  for (let at = done.length; at < ks.length; at++) {
    const k = ks[at]!
    const run = await kmeans(z, n, q, options(k), {
      iteration: async (restart, iteration) => {
        ctx.progress(0.02 + (0.95 * (at + (restart + Math.min(1, iteration / 50)) / spec.restarts)) / ks.length, `k = ${k}: restart ${restart + 1} of ${spec.restarts}, iteration ${iteration}`)
        await yieldForCancel(ctx.signal)
      },
    })
    runs.set(k, run)
    inertias.push(run.inertia)
    ctx.metric('inertia', k, run.inertia)
    ctx.checkpoint({ inertias })
  }
  const k = ks.length === 1 ? ks[0]! : elbow(ks, inertias)
  let kept = runs.get(k)
  if (!kept) {
    ctx.progress(0.97, `k = ${k}: the kept clustering`)
    kept = await kmeans(z, n, q, options(k))
  }
  const sizes = new Array<number>(k).fill(0)
  for (const c of kept.labels) sizes[c]!++
  const ids = Array.isArray(input.features.meta.ids) ? (input.features.meta.ids as string[]) : null
  const exampleObjects = examples(kept.labels, k)
  return {
    result: {
      features: input.features.name,
      transformRun: input.transformRun?.id ?? null,
      n,
      dimensions: q,
      ks,
      inertias,
      elbow: ks.length >= 3 ? elbow(ks, inertias) : null,
      k,
      sizes,
      // Names (the feature set's ids, or row numbers) and rows, for thumbnails where the images are in the project.
      examples: exampleObjects.map((rows) => rows.map((i) => ids?.[i] ?? `#${i}`)),
      exampleObjects,
      backend: ctx.backend?.name ?? null,
    },
    outputs: {
      labels: { dtype: '<i4', shape: [n], data: kept.labels },
      centroids: { dtype: '<f4', shape: [k, q], data: kept.centroids },
    },
    run: { kind: 'alignetClusters', name: `AligNet clusters: ${input.features.name}, k = ${k}`, params: spec },
  }
}

type TripletsSpec = Extract<JobSpec, { kind: 'alignetTriplets' }>

export interface TripletsInput extends TeacherInput {
  clusters: RunInfo
}

export async function alignetTriplets(spec: TripletsSpec, input: TripletsInput, ctx: JobContext): Promise<JobOutput> {
  ctx.progress(0.05, 'Reading the clustering and the teacher')
  const { z, n, q } = await teacherFeatures(ctx, input)
  const outputs = (input.clusters.result as { outputs?: { labels?: string; centroids?: string } } | null)?.outputs
  if (!outputs?.labels || !outputs.centroids) throw new AppError('user', `Run ${input.clusters.id} has no stored clustering; cluster again.`)
  const labels = artifact(ctx, outputs.labels).data as Int32Array
  const centroids = asFloat32(artifact(ctx, outputs.centroids))
  const k = centroids.length / q
  ctx.progress(0.3, `Drawing ${spec.count.toLocaleString('en')} ${spec.mode} triplets`)
  let triplets: Int32Array
  try {
    triplets = sampleTriplets(labels, k, { mode: spec.mode, count: spec.count, seed: spec.seed, ...(spec.mode === 'border' ? { nearest: nearestClusters(centroids, k, q) } : {}) })
  } catch (err) {
    throw err instanceof RangeError ? new AppError('user', err.message) : err
  }
  ctx.progress(0.7, 'Labelling them with the teacher')
  const { ordered, similarities } = labelTriplets(z, q, triplets)
  const name = spec.name ?? `AligNet ${spec.mode} triplets (${input.features.name}, k = ${k})`
  const meta = { format: 'AligNet', synthetic: true, count: spec.count, objects: n, oddOneOut: 2, clustersRun: input.clusters.id, mode: spec.mode, teacher: input.features.name, ids: input.features.meta.ids ?? null }
  return {
    result: { dataset: 'triplets', name, count: spec.count, objects: n, k, mode: spec.mode },
    outputs: {
      data: { dtype: '<i4', shape: [spec.count, 3], data: ordered },
      soft: { dtype: '<f4', shape: [spec.count, 3], data: teacherProbabilities(similarities) },
      similarities: { dtype: '<f4', shape: [spec.count, 3], data: similarities },
    },
    records: [{ kind: 'triplets', name, output: 'data', sourcePath: `AligNet clusters run ${input.clusters.id}`, meta, metaOutputs: { softLabels: 'soft', teacherSimilarities: 'similarities' } }],
  }
}
