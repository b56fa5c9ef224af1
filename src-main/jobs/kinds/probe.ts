// The probe job: cross-validated affine probe on a feature set and a triplet set of the project (DESIGN §4,
// ICLR-2023 protocol), streaming loss and validation accuracy per epoch, checkpointing after every fold; and
// applying a trained transform to features, which makes a new feature set.
import type { DatasetInfo, JobSpec, ProbeSpec, RunInfo } from '../../api/contract'
import { AppError } from '../../api/errors'
import { crossValidateProbe, crossValidationSummary, type FoldResult } from '../../core/probe/crossValidate'
import { trainingTriplets } from '../../core/probe/frequencies'
import { PROBE_DEFAULTS } from '../../core/probe/train'
import { applyTransform } from '../../core/probe/transform'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { ceilingOf } from './evaluate'
import { runTransform } from '../../store/runTransform'
import { artifact, asFloat32 } from './projectArrays'
import { featuresForTriplets } from './evaluate'

export interface ProbeInput {
  features: DatasetInfo
  triplets: DatasetInfo
}

export async function probe(spec: ProbeSpec, { features, triplets }: ProbeInput, ctx: JobContext): Promise<JobOutput> {
  ctx.progress(0.01, 'Reading the features and triplets')
  // The features' rows in the triplets' object order (the transform learned does not depend on it).
  const { x, n, p } = featuresForTriplets(features, triplets, ctx)
  if (spec.rank !== undefined && spec.rank > p) throw new AppError('user', `The rank ${spec.rank} is more than the ${p} features; a probe maps p features to at most p.`)
  const indices = artifact(ctx, triplets.artifact).data as Int32Array
  const soft = triplets.meta.softLabels ? asFloat32(artifact(ctx, triplets.meta.softLabels)) : null
  let training: ReturnType<typeof trainingTriplets>
  try {
    training = trainingTriplets(indices, n, soft, spec.objective, `"${triplets.name}"`)
  } catch (err) {
    throw err instanceof RangeError ? new AppError('user', err.message) : err
  }
  const config = {
    ...PROBE_DEFAULTS,
    objective: spec.objective,
    alpha: spec.alphas[0]!,
    regularizer: spec.regularizer,
    temperature: spec.temperature,
    learningRate: spec.learningRate,
    maxEpochs: spec.maxEpochs,
    patience: spec.patience,
    batchSize: spec.batchSize,
    rank: spec.rank ?? null,
    seed: spec.seed,
  }
  const restored = (ctx.restored?.state ?? null) as { folds: FoldResult[] } | null
  const cv = await crossValidateProbe(
    x,
    n,
    p,
    training.triplets,
    config,
    { folds: spec.folds, lambdas: spec.lambdas, alphas: spec.alphas, validationFraction: spec.validationFraction },
    {
      completed: restored?.folds,
      epoch: async (run, report, done, total) => {
        ctx.metric(`${run} · loss`, report.epoch, report.trainLoss)
        if (report.validationAccuracy !== null) ctx.metric(`${run} · validation accuracy`, report.epoch, report.validationAccuracy)
        ctx.progress(0.02 + (0.97 * (done + report.epoch / spec.maxEpochs)) / total, `${run}: epoch ${report.epoch}`)
        await yieldForCancel(ctx.signal)
      },
      fold: (folds) => ctx.checkpoint({ folds }),
    },
  )
  const { transform } = cv.final
  return {
    result: {
      objective: spec.objective,
      features: features.name,
      triplets: triplets.name,
      n,
      p,
      ...crossValidationSummary(cv),
      resumedFolds: restored?.folds.length ?? 0,
      softLabelsFrom: training.softLabelsFrom,
      ...ceilingOf(triplets, indices),
      backend: ctx.backend?.name ?? null,
    },
    outputs: {
      weights: { dtype: '<f4', shape: [p, transform.q], data: transform.weights },
      bias: { dtype: '<f4', shape: [transform.q], data: transform.bias! },
    },
    run: { kind: 'probe', name: `probe (${spec.objective}): ${features.name} × ${triplets.name}`, params: spec },
  }
}

export interface ApplyTransformInput {
  run: RunInfo
  features: DatasetInfo
}

type ApplySpec = Extract<JobSpec, { kind: 'applyTransform' }>

export async function applyProbe(spec: ApplySpec, { run, features }: ApplyTransformInput, ctx: JobContext): Promise<JobOutput> {
  const transform = runTransform(run, (sha) => artifact(ctx, sha))
  const array = artifact(ctx, features.artifact)
  const [n, p] = array.shape as [number, number]
  if (p !== transform.p) throw new AppError('user', `The transform of run ${run.id} expects ${transform.p} features; "${features.name}" has ${p}.`)
  ctx.progress(0.2, 'Transforming')
  const z = await applyTransform(asFloat32(array), n, transform)
  const name = spec.name ?? `${features.name} → probe #${run.id}`
  return {
    result: { dataset: 'features', name, n, p: transform.q, run: run.id },
    outputs: { data: { dtype: '<f4', shape: [n, transform.q], data: z } },
    records: [{ kind: 'features', name, sourcePath: `probe run ${run.id}`, output: 'data', meta: { n, p: transform.q, ids: features.meta.ids ?? null, transformedBy: run.id, from: features.name } }],
  }
}
