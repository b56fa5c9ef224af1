// `humanalign gw`: entropic Gromov-Wasserstein between two representations of the same objects (feature files,
// turned into dissimilarity matrices, or square dissimilarity matrices as they are), with uniform marginals or the
// user's weights of the objects; the matching rates assume row i of A and row i of B are the same object.
import { AppError } from '../api/errors'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { gwSide, hostCrossProduct, type GwSide } from '../core/gw/crossProduct'
import { entropicGw, GW_DEFAULTS } from '../core/gw/entropicGw'
import { categoryMatching as categoryMatchingOf, matchingRates } from '../core/gw/matching'
import { knnAfterProcrustes, PROCRUSTES_DIMENSIONS } from '../core/gw/procrustes'
import { searchEpsilon, type Trial } from '../core/gw/epsilonSearch'
import { restoreColumns } from '../core/data/objectNames'
import type { RdmMeasure } from '../core/metrics/rdm'
import { gwCrossProduct } from '../jobs/gwProductPool'
import { hostSinkhornPool } from '../jobs/sinkhornPool'
import { lineUp, rdmOf } from './evaluations'
import { matchedByName } from './objectOrder'
import { reorderRows } from '../core/data/objectNames'
import { loadMarginal, readLabels } from './inputs'
import { encodeNpy } from '../core/io/npy'
import { outputFolder, writeFileAtomic } from '../store/artifacts'

/** gwSide, with what is wrong with the input said as the user's error, naming it. */
export function namedGwSide(name: string, ...args: Parameters<typeof gwSide>): GwSide {
  try {
    return gwSide(...args)
  } catch (err) {
    throw err instanceof RangeError ? new AppError('user', `${name} ${err.message}`) : err
  }
}

export interface GwRequest {
  a: string
  b: string
  distance: RdmMeasure
  /** One ε, or a search over a range (the ε of lowest GW loss is chosen; no labels are used). */
  epsilon: number | { range: [number, number]; trials: number; sampler: 'tpe' | 'grid' | 'random'; initPlans: number; seed: number; prune: boolean }
  domain: 'auto' | 'plain' | 'log'
  maxIterations: number
  planOut?: string
  /** One category label per object (a text file): category-level matching. */
  categories?: string
  /** Files of one positive weight per object (any scale), the marginals of A and B; uniform where absent. */
  weights?: { a?: string; b?: string }
  onTrial?: (trial: Trial, index: number) => void
  backend: BackendName | null
  /** Each matrix divided by its largest entry (so one ε range suits any pair). */
  normalise: boolean
  /** float32: C1 T C2ᵀ on the backend (fast); float64: on the host, exactly POT's arithmetic (slow beyond a few hundred objects). */
  precision: 'float32' | 'float64'
}

export async function gwFiles(request: GwRequest) {
  if (request.planOut) outputFolder(request.planOut)
  const [a, unordered] = [await rdmOf(request.a, undefined, request.distance), await rdmOf(request.b, undefined, request.distance)]
  if (a.n !== unordered.n) throw new AppError('user', `${request.a} describes ${a.n} objects and ${request.b} ${unordered.n}; matching rates need the same objects in the same order.`)
  // Matching rates count an object matched to itself: where both files name their objects, B's follow A's order.
  const { side: b, order } = lineUp({ name: request.a, ids: a.ids }, { ...unordered, name: request.b })
  const n = a.n
  const p = await loadMarginal(request.weights?.a, n)
  const weightsB = await loadMarginal(request.weights?.b, n)
  const q = order ? reorderRows(weightsB, 1, order) : weightsB
  const backend = await chooseBackend({ force: request.backend ?? undefined })
  const sides = [a, b].map((x, k) => namedGwSide(k === 0 ? request.a : request.b, x.rdm, n, x.features, request.distance, request.normalise))
  // C1 T C2ᵀ on the backend, in float32; through the factors of cosine and correlation distances when p is small.
  const product = request.precision === 'float32' ? await gwCrossProduct(sides[0]!, sides[1]!, backend.name) : hostCrossProduct(sides[0]!.c, n, sides[1]!.c, n)
  const passes = request.domain === 'auto' ? await hostSinkhornPool(product, n, n) : null
  const started = performance.now()
  const gw = { domain: request.domain, maxIterations: request.maxIterations, product, ...(passes ? { passes } : {}) }
  let r: { plan: Float64Array; loss: number; iterations: number; converged: boolean; logDomain: boolean; unconvergedSinkhorn?: number }
  let epsilon: number
  let trials: Trial[] | null = null
  try {
    if (typeof request.epsilon === 'number') {
      epsilon = request.epsilon
      r = await entropicGw(sides[0]!.c, sides[1]!.c, p, q, { ...GW_DEFAULTS, ...gw, epsilon })
    } else {
      const search = await searchEpsilon(sides[0]!.c, sides[1]!.c, p, q, { ...request.epsilon, gw }, request.onTrial)
      if (!search.best || !search.plan) throw new AppError('user', `No trial gave a valid plan in ε ∈ [${request.epsilon.range.join(', ')}]; try a larger range.`)
      ;[epsilon, trials] = [search.best.epsilon, search.trials]
      r = { ...search.best, plan: search.plan }
    }
  } finally {
    product.dispose()
    passes?.dispose()
  }
  const seconds = (performance.now() - started) / 1000
  const [top1, top5, top10] = matchingRates(r.plan, n, n, [1, 5, 10])
  const knn = await knnAfterProcrustes(sides[0]!.c, sides[1]!.c, r.plan, n, PROCRUSTES_DIMENSIONS)
  const labels = request.categories ? readLabels(request.categories, n) : null
  const names = labels ? [...new Set(labels)] : []
  const categoryMatching = labels ? categoryMatchingOf(r.plan, n, Uint8Array.from({ length: n * names.length }, (_, k) => Number(labels[Math.floor(k / names.length)] === names[k % names.length])), names.length) : null
  if (request.planOut) writeFileAtomic(request.planOut, encodeNpy({ dtype: '<f8', shape: [n, n], data: order ? restoreColumns(r.plan, n, order) : r.plan }))
  return {
    n,
    a: a.from,
    b: b.from,
    epsilon,
    loss: r.loss,
    iterations: r.iterations,
    converged: r.converged,
    logDomain: r.logDomain,
    ...(r.unconvergedSinkhorn === undefined ? {} : { unconvergedSinkhorn: r.unconvergedSinkhorn }),
    ...(trials ? { trials } : {}),
    matching: { top1: top1!, top5: top5!, top10: top10! },
    knnMatching: { top1: knn[0]!, top5: knn[1]!, top10: knn[2]!, dimensions: Math.min(PROCRUSTES_DIMENSIONS, n - 1) },
    categoryMatching,
    seconds,
    precision: request.precision,
    ...(request.precision === 'float32' ? { backend: backend.name, factored: sides.map((side) => side.factors !== null) } : {}),
    ...(request.planOut ? { plan: request.planOut } : {}),
    ...matchedByName(order),
  }
}
