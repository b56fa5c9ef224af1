// `humanalign alignet evaluate`: one "base vs aligned" table for two representations of the same images (the
// base model's and the distilled student's features) on the human data the user has — odd-one-out accuracy on
// human triplets, RSA against human RDMs (with their noise ceiling), and one-shot / nearest-class-mean
// classification of labelled images.
import { basename } from 'node:path'
import { beforeAfterCells, type BeforeAfterRow } from '../api/beforeAfterTable'
import { AppError } from '../api/errors'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { rdmNoiseCeiling, tripletNoiseCeiling } from '../core/metrics/ceiling'
import { nearestClassMeanAccuracy, oneShotAccuracy } from '../core/metrics/classification'
import { oddOneOutAccuracy } from '../core/metrics/oddOneOut'
import { mcnemarExact } from '../core/metrics/mcnemar'
import { perMatrixRsa } from '../core/metrics/perMatrixRsa'
import { meanOfMatrices } from '../core/metrics/rdm'
import { rdmFromFeaturesOnCores } from '../jobs/rowProductsPool'
import { signedRankTwoSided } from '../core/metrics/signedRank'
import { tripletSimilarities } from '../core/metrics/tripletSimilarities'
import { resampledRsa } from '../jobs/resampledRsa'
import { reorderMatrix, reorderRows } from '../core/data/objectNames'
import { featuresFrom, loadMatrix, loadRepresentation, loadTriplets, readLabels } from './inputs'
import { matchedByName, objectOrder } from './objectOrder'

export interface BeforeAfterRequest {
  base: string
  aligned: string
  /** Human triplets over the same images (odd one out last). */
  triplets?: string
  oneBased?: boolean
  /** Human RDMs of the same images: one, or one per subject. */
  rdms?: string
  key?: string
  /** One class label per image, a line each. */
  labels?: string
  bootstrap: number
  seed: number
  backend: BackendName | null
}

/** What the table compares: two representations of the same n objects and the human data at hand. */
export interface BeforeAfterInputs {
  n: number
  base: { data: Float32Array; p: number }
  aligned: { data: Float32Array; p: number }
  /** Human triplets over the objects (count × 3, odd one out last). */
  triplets?: Int32Array
  /** What people's own agreement bounds accuracy on these triplets at, where known (a noise ceiling). */
  tripletCeiling?: number
  /** The response time of each triplet, when recorded: entropy of the model's choice against RT. */
  rt?: Float32Array
  /** Human RDMs (dissimilarities) of the objects: one, or one per subject (subjects × n × n); `label` names them. */
  rdms?: { data: Float64Array; subjects: number; label: string }
  /** One class label per object. */
  labels?: string[]
  bootstrap: number
  seed: number
}

/** Each triplet's agreement with the human choice (1: the model's most similar pair is the one the human kept). */
function agreement(pairs: Float32Array | Float64Array): Uint8Array {
  const agreed = new Uint8Array(pairs.length / 3)
  for (let t = 0; t < agreed.length; t++) agreed[t] = pairs[3 * t]! > pairs[3 * t + 1]! && pairs[3 * t]! > pairs[3 * t + 2]! ? 1 : 0
  return agreed
}

/**
 * The rows of the table: odd-one-out accuracy (McNemar's test of the change), Spearman RSA — against several
 * subjects' matrices both with their mean and as the mean over subjects, the figure their noise ceiling bounds, with
 * the signed-rank test of the change across subjects — one-shot and nearest-class-mean.
 */
export async function beforeAfterRows(inputs: BeforeAfterInputs): Promise<BeforeAfterRow[]> {
  const { n } = inputs
  const sides = [inputs.base, inputs.aligned] as const
  const rows: BeforeAfterRow[] = []
  if (inputs.triplets) {
    const triplets = inputs.triplets
    const rt = inputs.rt
    const [basePairs, alignedPairs] = await Promise.all(sides.map((x) => tripletSimilarities(x.data, n, x.p, triplets, 'dot')))
    // Each side's entropies at its own τ fitted to the human choices: at τ = 1 a network's dot products make them all 0.
    const [b, a] = [basePairs!, alignedPairs!].map((pairs) => oddOneOutAccuracy(pairs, triplets, n, { temperature: 'fit', ...(rt ? { rt } : {}) }))
    const { p } = mcnemarExact(agreement(basePairs!), agreement(alignedPairs!))
    rows.push({ measure: `odd-one-out accuracy (${b!.total} human triplets)`, base: b!.accuracy, aligned: a!.accuracy, baseCi95: b!.ci95, alignedCi95: a!.ci95, ceiling: inputs.tripletCeiling === undefined ? null : [inputs.tripletCeiling, inputs.tripletCeiling], test: { name: "McNemar's exact test over the triplets", p } })
    // Where people were slower the model should be less sure: a positive correlation is human-like.
    if (b!.entropyRtSpearman !== null && a!.entropyRtSpearman !== null) {
      rows.push({ measure: 'entropy of the choice (τ fitted) vs response time, Spearman', base: b!.entropyRtSpearman, aligned: a!.entropyRtSpearman, baseCi95: null, alignedCi95: null, ceiling: null })
    }
  }
  if (inputs.rdms) {
    const { data, subjects, label } = inputs.rdms
    const mean = subjects > 1 ? meanOfMatrices(data, subjects, n) : data
    const baseRdm = await rdmFromFeaturesOnCores(inputs.base.data, n, inputs.base.p, 'correlation')
    const alignedRdm = await rdmFromFeaturesOnCores(inputs.aligned.data, n, inputs.aligned.p, 'correlation')
    const rsa = (rdm: Float64Array) => resampledRsa(rdm, mean, n, { method: 'spearman', bootstrap: inputs.bootstrap, permutations: 0, seed: inputs.seed })
    const [b, a] = [await rsa(baseRdm), await rsa(alignedRdm)]
    rows.push({ measure: subjects > 1 ? `RSA, Spearman, with the mean of ${subjects} matrices (${label})` : `RSA, Spearman (${label})`, base: b.r, aligned: a.r, baseCi95: b.ci95, alignedCi95: a.ci95, ceiling: null })
    if (subjects > 1) {
      // What a noise ceiling bounds is the mean over subjects of the correlation with each (Nili et al. 2014).
      const [each, eachAligned] = [perMatrixRsa(baseRdm!, data, subjects, n, 'spearman'), perMatrixRsa(alignedRdm!, data, subjects, n, 'spearman')]
      const ceiling = rdmNoiseCeiling(data, subjects, n, 'spearman')
      const differences = eachAligned.r.flatMap((r, s) => (r !== null && each.r[s] != null ? [r - each.r[s]!] : []))
      const test = signedRankTwoSided(differences)
      if (each.mean !== null && eachAligned.mean !== null) {
        rows.push({
          measure: `RSA, Spearman, mean over ${subjects} subjects' matrices (${label})`,
          base: each.mean,
          aligned: eachAligned.mean,
          baseCi95: null,
          alignedCi95: null,
          ...(each.sem !== null && eachAligned.sem !== null ? { sem: [each.sem, eachAligned.sem] as [number, number] } : {}),
          ceiling: [ceiling.lower, ceiling.upper],
          ...(test ? { test: { name: `Wilcoxon's signed-rank test over ${test.n} subjects`, p: test.p } } : {}),
        })
      }
    }
  }
  if (inputs.labels) {
    const labels = inputs.labels
    const classes = new Set(labels).size
    if (classes < 2) throw new AppError('user', 'The labels name one class; classification needs at least two.')
    const row = (measure: string, score: (x: { data: Float32Array; p: number }) => number): BeforeAfterRow => ({ measure, base: score(inputs.base), aligned: score(inputs.aligned), baseCi95: null, alignedCi95: null, ceiling: null })
    rows.push(row(`one-shot accuracy (${classes} classes, 100 draws)`, (x) => oneShotAccuracy(x.data, n, x.p, labels, 100, inputs.seed)))
    rows.push(row(`nearest class mean, leave-one-out (${classes} classes)`, (x) => nearestClassMeanAccuracy(x.data, n, x.p, labels)))
  }
  return rows
}

export async function beforeAfter(request: BeforeAfterRequest) {
  const [one, two] = [await loadRepresentation(request.base), await loadRepresentation(request.aligned)]
  const [base, unordered] = [await featuresFrom(request.base, one.array), await featuresFrom(request.aligned, two.array)]
  if (base.n !== unordered.n) throw new AppError('user', `${request.base} has ${base.n} images but ${request.aligned} has ${unordered.n}; both must describe the same images.`)
  if (!request.triplets && !request.rdms && !request.labels) throw new AppError('user', 'Nothing to evaluate on: give human --triplets, --rdms, or image --labels.')
  // Where the files name their objects, the aligned features and the matrices are put in the base's order.
  const named = { name: request.base, ids: one.ids }
  const alignedOrder = objectOrder(named, { name: request.aligned, ids: two.ids })
  const aligned = alignedOrder ? { ...unordered, data: reorderRows(unordered.data, unordered.p, alignedOrder) } : unordered
  await chooseBackend({ force: request.backend ?? undefined })
  const triplets = request.triplets ? (await loadTriplets(request.triplets, base.n, request.oneBased)).indices : undefined
  // Triplets answered several times: how often one answer agrees with the others' majority.
  const tripletCeiling = triplets ? (tripletNoiseCeiling(triplets, triplets.length / 3, base.n).ceiling ?? undefined) : undefined
  let rdms: BeforeAfterInputs['rdms']
  let rdmOrder: number[] | null = null
  if (request.rdms) {
    const read = await loadRepresentation(request.rdms, request.key)
    const matrix = await loadMatrix(request.rdms, read.array, 'dissimilarity')
    if (matrix.n !== base.n) throw new AppError('user', `${request.rdms} describes ${matrix.n} objects but the features have ${base.n} images.`)
    rdmOrder = objectOrder(named, { name: request.rdms, ids: read.ids })
    rdms = { data: rdmOrder ? reorderMatrix(matrix.data, matrix.n, rdmOrder) : matrix.data, subjects: matrix.subjects, label: basename(request.rdms) }
  }
  const labels = request.labels ? readLabels(request.labels, base.n, 'images') : undefined
  if (labels && new Set(labels).size < 2) throw new AppError('user', `${request.labels} names one class; classification needs at least two.`)
  const rows = await beforeAfterRows({ n: base.n, base, aligned, ...(triplets ? { triplets } : {}), ...(tripletCeiling === undefined ? {} : { tripletCeiling }), ...(rdms ? { rdms } : {}), ...(labels ? { labels } : {}), bootstrap: request.bootstrap, seed: request.seed })
  return { images: base.n, base: request.base, aligned: request.aligned, rows, ...matchedByName(alignedOrder ?? rdmOrder) }
}

/** The table as text: one line per measure, base, aligned, the change and its test. */
export function formatBeforeAfter(result: Awaited<ReturnType<typeof beforeAfter>>): string {
  const width = Math.max(...result.rows.map((r) => r.measure.length))
  const lines = result.rows.map((r) => {
    const cells = beforeAfterCells(r)
    const test = r.test ? `  p ${cells.p} (${r.test.name})` : ''
    const ceiling = r.ceiling ? `  ceiling ${cells.ceiling}` : ''
    return `${r.measure.padEnd(width)}  base ${cells.base}  aligned ${cells.aligned}  change ${cells.change}${test}${ceiling}`
  })
  const matched = result.objectsMatchedByName ? ["objects put in the base's order by their names"] : []
  return [`${result.images} images: base ${result.base} vs aligned ${result.aligned}`, ...lines, ...matched].join('\n')
}
