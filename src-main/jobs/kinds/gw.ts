// Unsupervised alignment as a project job (DESIGN §4): entropic Gromov-Wasserstein between two representations
// of the same objects, ε chosen by a search over a log-uniform range by the lowest GW loss (no labels used).
// Every trial streams as a metric and is checkpointed with the best plan so far, so a stopped search continues
// where it was; the result holds the matching rates, k-NN matching after Procrustes, category-level matching,
// the worst-matched objects and the plan (float32) as an artifact.
import { basename } from 'node:path'
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { AppError } from '../../api/errors'
import type { GwSide } from '../../core/gw/crossProduct'
import { searchEpsilon, type Trial } from '../../core/gw/epsilonSearch'
import { categoryMatching, matchingRates, worstMatched } from '../../core/gw/matching'
import { knnAfterProcrustes, PROCRUSTES_DIMENSIONS } from '../../core/gw/procrustes'
import { namedGwSide } from '../../evaluate/gwFiles'
import { loadMarginal } from '../../evaluate/inputs'
import { gwCrossProduct } from '../gwProductPool'
import { hostSinkhornPool } from '../sinkhornPool'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { datasetRdm } from './evaluate'
import { datasetOrder, matchedByName } from '../../evaluate/objectOrder'
import { conceptRows } from './projectArrays'
import { hasNames, reorderRows } from '../../core/data/objectNames'

type GwSpec = Extract<JobSpec, { kind: 'gw' }>

export interface GwInput {
  a: DatasetInfo
  b: DatasetInfo
  categories: DatasetInfo | null
}

/** One side: its dissimilarities (divided by their largest when asked) and, for features, their factors. */
async function side(dataset: DatasetInfo, spec: GwSpec, ctx: JobContext, order: number[] | null = null): Promise<GwSide> {
  const { rdm, n, features } = await datasetRdm(dataset, spec.metric, ctx, order)
  return namedGwSide(`"${dataset.name}"`, rdm, n, features, spec.metric, spec.normalise)
}

export async function gw(spec: GwSpec, input: GwInput, ctx: JobContext): Promise<JobOutput> {
  const [lo, hi] = spec.epsilonRange
  if (hi < lo) throw new AppError('user', `The ε range ${lo}–${hi} runs backwards; give the low end first.`)
  ctx.progress(0.01, 'Computing the dissimilarities')
  // Matching rates count an object matched to itself: b's objects are put in a's order by their names.
  const order = datasetOrder(input.a, input.b)
  const [one, two] = [await side(input.a, spec, ctx), await side(input.b, spec, ctx, order)]
  const n = one.n
  if (two.n !== n) throw new AppError('user', `"${input.a.name}" describes ${n} objects and "${input.b.name}" ${two.n}; GW matching needs the same objects in the same order.`)
  const concepts = input.categories
  if (concepts && Number(concepts.meta.n) !== n) throw new AppError('user', `"${concepts.name}" lists ${String(concepts.meta.n)} objects, not the ${n} being aligned.`)
  const p = await loadMarginal(spec.weightsA, n)
  // b's weights are in b's own order, as its objects were.
  const weightsB = await loadMarginal(spec.weightsB, n)
  const q = order ? reorderRows(weightsB, 1, order) : weightsB
  const restored = ctx.restored ? { trials: (ctx.restored.state as { trials: Trial[] }).trials, plan: (ctx.restored.arrays.plan?.data as Float64Array | undefined) ?? null } : undefined
  const product = await gwCrossProduct(one, two, ctx.backend?.name ?? 'cpu')
  const passes = await hostSinkhornPool(product, n, n)
  const started = performance.now()
  let search
  try {
    search = await searchEpsilon(
      one.c,
      two.c,
      p,
      q,
      { range: [lo, hi], trials: spec.trials, sampler: spec.sampler, initPlans: spec.initPlans, seed: spec.seed, prune: spec.prune, gw: { maxIterations: spec.maxIterations, product, ...(passes ? { passes } : {}) }, step: () => yieldForCancel(ctx.signal), ...(restored ? { resume: restored } : {}) },
      (trial, index, sofar) => {
        // Per trial number (steps are whole numbers); the page pairs them into ε against loss.
        ctx.metric('epsilon', index + 1, trial.epsilon)
        if (Number.isFinite(trial.loss)) {
          ctx.metric('GW loss', index + 1, trial.loss)
          ctx.metric('top-1 matching', index + 1, trial.top1)
        }
        ctx.progress(0.02 + (0.95 * (index + 1)) / spec.trials, `trial ${index + 1} of ${spec.trials}: ε = ${trial.epsilon.toPrecision(3)}, ${Number.isFinite(trial.loss) ? `loss ${trial.loss.toPrecision(4)}` : trial.pruned ? 'pruned' : 'no valid plan'}`)
        ctx.checkpoint({ trials: sofar.trials }, sofar.plan ? { plan: { dtype: '<f8', shape: [n, n], data: sofar.plan } } : {})
      },
    )
  } finally {
    product.dispose()
    passes?.dispose()
  }
  if (!search.best || !search.plan) throw new AppError('user', `No trial gave a valid plan in ε ∈ [${lo}, ${hi}]: try a larger range (a larger ε spreads the plan, a smaller one sharpens it).`)
  const plan = search.plan
  const [top1, top5, top10] = matchingRates(plan, n, n, [1, 5, 10])
  const names = [input.a.meta.ids, input.b.meta.ids, concepts?.meta.names].find((ids): ids is string[] => Array.isArray(ids) && hasNames(ids as string[]))
  const nameOf = (i: number) => names?.[i] ?? `#${i + 1}`
  ctx.progress(0.98, 'k-NN matching after Procrustes')
  const knn = await knnAfterProcrustes(one.c, two.c, plan, n, PROCRUSTES_DIMENSIONS)
  // Categories of a's objects (b's were put in a's order), matched by name where they name them.
  const categories = concepts ? categoryMatching(plan, n, conceptRows([input.a, input.b], concepts, ctx), (concepts.meta.categories as string[]).length) : null
  return {
    result: {
      a: input.a.name,
      b: input.b.name,
      n,
      metric: spec.metric,
      epsilon: search.best.epsilon,
      loss: search.best.loss,
      matching: { top1: top1!, top5: top5!, top10: top10! },
      categoryMatching: categories,
      knnMatching: { top1: knn[0]!, top5: knn[1]!, top10: knn[2]!, dimensions: Math.min(PROCRUSTES_DIMENSIONS, n - 1) },
      trials: search.trials,
      resumedTrials: restored?.trials.length ?? 0,
      worst: worstMatched(plan, n, 10).map((w) => ({ ...w, name: nameOf(w.index), partnerName: nameOf(w.partner) })),
      factored: [one.factors !== null, two.factors !== null],
      marginals: { a: spec.weightsA ? basename(spec.weightsA) : 'uniform', b: spec.weightsB ? basename(spec.weightsB) : 'uniform' },
      seconds: (performance.now() - started) / 1000,
      backend: ctx.backend?.name ?? null,
      ...matchedByName(order),
    },
    outputs: { plan: { dtype: '<f4', shape: [n, n], data: Float32Array.from(plan) } },
    run: { kind: 'gw', name: `GW: ${input.a.name} × ${input.b.name}`, params: spec },
  }
}
