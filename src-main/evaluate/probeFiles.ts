// `humanalign probe`: the cross-validated affine probe on feature and triplet files, with the transform written
// as gLocal's transform.npz.
import { AppError } from '../api/errors'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { encodeNpz } from '../core/io/npz'
import { crossValidateProbe, crossValidationSummary, type FoldResult } from '../core/probe/crossValidate'
import { trainingTriplets } from '../core/probe/frequencies'
import type { ProbeConfig } from '../core/probe/train'
import { transformArrays } from '../core/probe/transform'
import { outputFolder, writeFileAtomic } from '../store/artifacts'
import { loadArray, loadFeatures, loadTriplets } from './inputs'

export interface ProbeRequest {
  features: string
  triplets: string
  softLabels?: string
  oneBased?: boolean
  config: ProbeConfig
  folds: number
  lambdas: number[]
  alphas: number[]
  out?: string
  backend: BackendName | null
  /** After each fold: a line for the user. */
  onFold?(fold: FoldResult): void
}

export async function probeFiles(request: ProbeRequest) {
  if (request.out) outputFolder(request.out)
  const features = await loadFeatures(request.features)
  const triplets = await loadTriplets(request.triplets, features.n, request.oneBased)
  let soft: Float32Array | null = null
  if (request.softLabels) {
    const array = await loadArray(request.softLabels)
    if (array.shape.length !== 2 || array.shape[0] !== triplets.count || array.shape[1] !== 3) {
      throw new AppError('user', `${request.softLabels}: soft labels must be ${triplets.count} × 3 (one row of three probabilities per triplet); this is [${array.shape.join(' × ')}].`)
    }
    soft = Float32Array.from(array.data as ArrayLike<number>)
  }
  let training: ReturnType<typeof trainingTriplets>
  try {
    training = trainingTriplets(triplets.indices, features.n, soft, request.config.objective, request.triplets)
  } catch (err) {
    throw err instanceof RangeError ? new AppError('user', `${err.message} From the command line: --soft-labels FILE (N × 3 probabilities in pair order [ij, ik, jk]).`) : err
  }
  const backend = await chooseBackend({ force: request.backend ?? undefined })
  const started = performance.now()
  let reported = 0
  const cv = await crossValidateProbe(
    features.data,
    features.n,
    features.p,
    training.triplets,
    request.config,
    { folds: request.folds, lambdas: request.lambdas, alphas: request.alphas, validationFraction: 0.1 },
    { fold: (results) => results.slice(reported).forEach((r) => (reported++, request.onFold?.(r))) },
  ).catch((err: unknown) => {
    throw err instanceof RangeError ? new AppError('user', err.message) : err
  })
  const { transform } = cv.final
  if (request.out) writeFileAtomic(request.out, encodeNpz(transformArrays(transform)))
  return {
    objective: request.config.objective,
    n: features.n,
    p: features.p,
    triplets: triplets.count,
    ...crossValidationSummary(cv),
    softLabelsFrom: training.softLabelsFrom,
    out: request.out ?? null,
    backend: backend.name,
    seconds: (performance.now() - started) / 1000,
  }
}
