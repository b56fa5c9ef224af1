// The evaluations of the metrics issue, on loaded inputs: each returns a JSON-ready result.
import { AppError } from '../api/errors'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { rdmNoiseCeiling, tripletNoiseCeiling } from '../core/metrics/ceiling'
import { linearCka } from '../core/metrics/cka'
import type { CorrelationMethod } from '../core/metrics/correlation'
import { oddOneOutAccuracy, type SimilarityKind } from '../core/metrics/oddOneOut'
import { meanOfMatrices, type RdmMeasure } from '../core/metrics/rdm'
import { rdmFromFeaturesOnCores } from '../jobs/rowProductsPool'
import { tripletSimilarities } from '../core/metrics/tripletSimilarities'
import { resampledRsa } from '../jobs/resampledRsa'
import { perMatrixOfSides } from '../core/metrics/perMatrixRsa'
import { numberedMatrices } from '../api/matrixNames'
import { reorderMatrix, reorderRows } from '../core/data/objectNames'
import { featuresFrom, loadArray, loadFeatures, loadMatrix, loadRepresentation, loadTriplets } from './inputs'
import { matchedByName, objectOrder } from './objectOrder'

export interface OddOneOutRequest {
  features: string
  triplets: string
  similarity: SimilarityKind
  temperature?: number | 'fit'
  oneBased?: boolean
  backend: BackendName | null
}

/** Similarities of all pairs on the compute backend, then the triplets' three pair similarities gathered. */
export async function evalOddOneOut(request: OddOneOutRequest) {
  const features = await loadFeatures(request.features)
  const triplets = await loadTriplets(request.triplets, features.n, request.oneBased)
  const started = performance.now()
  const backend = await chooseBackend({ force: request.backend ?? undefined })
  const pairs = await tripletSimilarities(features.data, features.n, features.p, triplets.indices, request.similarity)
  const result = oddOneOutAccuracy(pairs, triplets.indices, features.n, { temperature: request.temperature })
  return {
    ...result,
    similarity: request.similarity,
    objects: features.n,
    features: features.p,
    backend: backend.name,
    seconds: (performance.now() - started) / 1000,
  }
}

export interface RsaRequest {
  a: string
  b: string
  keyA?: string
  keyB?: string
  rdm: RdmMeasure
  method: CorrelationMethod
  bootstrap: number
  permutations: number
  seed: number
}

/** One side of a comparison: its RDM, the features it came from, and its objects' names where the file has them. */
export interface RdmSide {
  rdm: Float64Array
  /** Several subjects' matrices, as dissimilarities, where the file holds several (their mean is `rdm`). */
  matrices?: { data: Float64Array; count: number; names: string[] }
  n: number
  from: string
  features?: { data: Float32Array | Float64Array; p: number }
  ids?: string[]
}

/** One side of an RSA: matrices as they are (several subjects averaged), or the RDM of a feature matrix. */
export async function rdmOf(path: string, key: string | undefined, measure: RdmMeasure): Promise<RdmSide> {
  const { array, matrix: isMatrix, ids } = await loadRepresentation(path, key)
  const named = ids ? { ids } : {}
  if (isMatrix) {
    const matrix = await loadMatrix(path, array, 'dissimilarity')
    const n = matrix.n
    const mean = meanOfMatrices(matrix.data, matrix.subjects, n)
    const several = matrix.subjects > 1 ? { matrices: { data: matrix.data, count: matrix.subjects, names: numberedMatrices(matrix.subjects) } } : {}
    return { rdm: mean, n, from: matrix.subjects > 1 ? `mean of ${matrix.subjects} matrices` : 'matrix', ...several, ...named }
  }
  const features = await featuresFrom(path, array)
  return { rdm: await rdmFromFeaturesOnCores(features.data, features.n, features.p, measure), n: features.n, from: `${measure} RDM of ${features.n} × ${features.p} features`, features: { data: features.data, p: features.p }, ...named }
}

/**
 * Side b with its objects in side a's order, when both files name them (null order: as it is); files that name
 * different objects are refused.
 */
export function lineUp(a: { name: string; ids?: string[] }, b: RdmSide & { name: string }): { side: RdmSide; order: number[] | null } {
  const order = objectOrder(a, b)
  if (!order) return { side: b, order }
  const features = b.features ? { features: { data: reorderRows(b.features.data, b.features.p, order), p: b.features.p } } : {}
  return { side: { ...b, rdm: reorderMatrix(b.rdm, b.n, order), ...features, ids: order.map((i) => b.ids![i]!) }, order }
}

export async function evalRsa(request: RsaRequest) {
  const a = await rdmOf(request.a, request.keyA, request.rdm)
  const unordered = await rdmOf(request.b, request.keyB, request.rdm)
  if (a.n !== unordered.n) throw new AppError('user', `${request.a} describes ${a.n} objects but ${request.b} describes ${unordered.n}; RSA compares the same objects.`)
  const { side: b, order } = lineUp({ name: request.a, ids: a.ids }, { ...unordered, name: request.b })
  const result = await resampledRsa(a.rdm, b.rdm, a.n, request)
  const perMatrix = perMatrixOfSides({ ...a, order: null }, { ...unordered, rdm: b.rdm, order }, a.n, request.method)
  return { ...result, a: a.from, b: b.from, ...perMatrix, ...matchedByName(order) }
}

export async function evalCeiling(path: string, key: string | undefined, method: CorrelationMethod) {
  const array = await loadArray(path, key)
  const matrix = await loadMatrix(path, array, 'dissimilarity')
  if (matrix.subjects < 2) throw new AppError('user', `${path} holds one matrix; a noise ceiling needs one per subject (subjects × n × n, or a struct array field).`)
  return rdmNoiseCeiling(matrix.data, matrix.subjects, matrix.n, method)
}

/** The ceiling of triplets answered several times; the index base does not matter, only which are the same. */
export async function evalTripletCeiling(path: string) {
  const array = await loadArray(path)
  const values = array.data as ArrayLike<number | bigint>
  let objects = 0
  for (let i = 0; i < values.length; i++) objects = Math.max(objects, Number(values[i]) + 1)
  const triplets = await loadTriplets(path, objects, false)
  const result = tripletNoiseCeiling(triplets.indices, triplets.count, objects)
  if (result.ceiling === null) throw new AppError('user', `No triplet in ${path} was answered more than once; a leave-one-out ceiling needs repeated triplets.`)
  return { ...result, ceiling: result.ceiling, triplets: triplets.count }
}

export async function evalCka(a: string, b: string, unbiased: boolean, backend: BackendName | null) {
  const [one, two] = [await loadRepresentation(a), await loadRepresentation(b)]
  const x = await featuresFrom(a, one.array)
  const unordered = await featuresFrom(b, two.array)
  if (x.n !== unordered.n) throw new AppError('user', `${a} has ${x.n} objects but ${b} has ${unordered.n}; CKA compares the same objects.`)
  const order = objectOrder({ name: a, ids: one.ids }, { name: b, ids: two.ids })
  const y = order ? reorderRows(unordered.data, unordered.p, order) : unordered.data
  const chosen = await chooseBackend({ force: backend ?? undefined })
  return { cka: await linearCka(x.data, x.p, y, unordered.p, x.n, unbiased), unbiased, n: x.n, backend: chosen.name, ...matchedByName(order) }
}
