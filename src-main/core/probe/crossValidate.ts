// The ICLR-2023 protocol around the probe: k-fold cross-validation over objects for each point of a grid over λ
// (and α for gLocal), λ chosen by the mean held-out odd-one-out accuracy, then one final fit on all triplets.
// Every fold reports the zero-shot accuracy of the raw features (dot products) on the same held-out triplets.
import { foldSplit, objectFolds, validationSplit } from './folds'
import { tripletTermRows, type Triplets } from './objective'
import { trainProbe, type EpochReport, type ProbeConfig, type TrainedProbe } from './train'
import { applyTransform } from './transform'

export interface ProbeSearch {
  folds: number
  lambdas: number[]
  /** gLocal only; one value (the config's α) otherwise. */
  alphas: number[]
  /** Share of each training set held out for early stopping. */
  validationFraction: number
}

export interface FoldResult {
  lambda: number
  alpha: number
  fold: number
  heldOutAccuracy: number
  zeroShotAccuracy: number
  trainTriplets: number
  testTriplets: number
  bestEpoch: number
  epochs: number
}

export interface GridPoint {
  lambda: number
  alpha: number
  meanAccuracy: number
}

export interface CrossValidation {
  folds: FoldResult[]
  grid: GridPoint[]
  chosen: { lambda: number; alpha: number }
  /** Held-out accuracies of the chosen setting, fold by fold, and their mean; the zero-shot ones beside. */
  heldOut: number[]
  meanHeldOut: number
  meanZeroShot: number
  final: TrainedProbe
}

export interface CrossValidationHooks {
  /** Folds already trained (a resumed job): not trained again. */
  completed?: FoldResult[]
  /** After each epoch of each training; `run` names it ("λ=0.1 fold 1", "final"). */
  epoch?(run: string, report: EpochReport, done: number, total: number): void | Promise<void>
  /** After each fold, with all folds so far (to checkpoint). */
  fold?(results: FoldResult[]): void | Promise<void>
}

/** Zero-shot accuracy: the raw features' dot products. */
function zeroShot(x: Float32Array, n: number, p: number, triplets: Triplets): number {
  if (triplets.count === 0) return NaN
  const all = Int32Array.from({ length: n }, (_, i) => i)
  const ids = Int32Array.from({ length: triplets.count }, (_, i) => i)
  return tripletTermRows(x, p, all, triplets, 1, false, ids).accuracy
}

/** Accuracy of a trained probe on triplets: its transformed features' dot products. */
async function heldOutAccuracy(x: Float32Array, n: number, trained: TrainedProbe, triplets: Triplets): Promise<number> {
  return zeroShot(await applyTransform(x, n, trained.transform), n, trained.transform.q, triplets)
}

export const label = (lambda: number, alpha: number, glocal: boolean) => `λ=${lambda}${glocal ? ` α=${alpha}` : ''}`

export async function crossValidateProbe(
  x: Float32Array,
  n: number,
  p: number,
  triplets: Triplets,
  config: ProbeConfig,
  search: ProbeSearch,
  hooks: CrossValidationHooks = {},
): Promise<CrossValidation> {
  const glocal = config.objective === 'glocal'
  const alphas = glocal ? search.alphas : [config.alpha]
  const grid = search.lambdas.flatMap((lambda) => alphas.map((alpha) => ({ lambda, alpha })))
  const fold = objectFolds(n, search.folds, config.seed)
  const splits = Array.from({ length: search.folds }, (_, f) => foldSplit(triplets, fold, f))
  const empty = splits.findIndex((s) => s.train.count === 0 || s.test.count === 0)
  if (empty >= 0) {
    throw new RangeError(`fold ${empty + 1} has no ${splits[empty]!.train.count === 0 ? 'training' : 'test'} triplets: with ${search.folds} folds over ${n} objects, too few triplets fall within one fold; use fewer folds or more triplets.`)
  }
  const results: FoldResult[] = [...(hooks.completed ?? [])]
  const total = grid.length * search.folds + 1
  let done = results.length
  for (const { lambda, alpha } of grid) {
    for (let f = 0; f < search.folds; f++) {
      if (results.some((r) => r.lambda === lambda && r.alpha === alpha && r.fold === f + 1)) continue
      const { train, test, trainObjects } = splits[f]!
      const { train: fit, validation } = validationSplit(train, search.validationFraction, config.seed + f)
      const run = `${label(lambda, alpha, glocal)} fold ${f + 1}`
      const trained = await trainProbe(x, n, p, fit, validation, { ...config, lambda, alpha }, { epoch: (r) => hooks.epoch?.(run, r, done, total) }, trainObjects)
      results.push({
        lambda,
        alpha,
        fold: f + 1,
        heldOutAccuracy: await heldOutAccuracy(x, n, trained, test),
        zeroShotAccuracy: zeroShot(x, n, p, test),
        trainTriplets: train.count,
        testTriplets: test.count,
        bestEpoch: trained.bestEpoch,
        epochs: trained.epochs.length,
      })
      done++
      await hooks.fold?.(results)
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  const points = grid.map(({ lambda, alpha }) => ({ lambda, alpha, meanAccuracy: mean(results.filter((r) => r.lambda === lambda && r.alpha === alpha).map((r) => r.heldOutAccuracy)) }))
  const best = points.reduce((a, b) => (b.meanAccuracy > a.meanAccuracy ? b : a))
  const chosen = results.filter((r) => r.lambda === best.lambda && r.alpha === best.alpha).sort((a, b) => a.fold - b.fold)
  const { train: fit, validation } = validationSplit(triplets, search.validationFraction, config.seed)
  const final = await trainProbe(x, n, p, fit, validation, { ...config, lambda: best.lambda, alpha: best.alpha }, { epoch: (r) => hooks.epoch?.('final', r, done, total) })
  return {
    folds: results,
    grid: points,
    chosen: { lambda: best.lambda, alpha: best.alpha },
    heldOut: chosen.map((r) => r.heldOutAccuracy),
    meanHeldOut: mean(chosen.map((r) => r.heldOutAccuracy)),
    meanZeroShot: mean(chosen.map((r) => r.zeroShotAccuracy)),
    final,
  }
}

/** What a result reports of a cross-validation: the grid, the folds, the chosen setting and the final transform's shape. */
export function crossValidationSummary(cv: CrossValidation) {
  const { transform } = cv.final
  return {
    q: transform.q,
    chosen: cv.chosen,
    grid: cv.grid,
    folds: cv.folds,
    heldOut: cv.heldOut,
    meanHeldOut: cv.meanHeldOut,
    meanZeroShot: cv.meanZeroShot,
    finalEpochs: cv.final.epochs.length,
    bestEpoch: cv.final.bestEpoch,
    mean: transform.mean,
    std: transform.std,
  }
}
