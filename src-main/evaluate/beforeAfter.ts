// `humanalign alignet evaluate`: one "base vs aligned" table for two representations of the same images (the
// base model's and the distilled student's features) on the human data the user has — odd-one-out accuracy on
// human triplets, RSA against human RDMs (with their noise ceiling), and one-shot / nearest-class-mean
// classification of labelled images.
import { AppError } from '../api/errors'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { rdmNoiseCeiling } from '../core/metrics/ceiling'
import { nearestClassMeanAccuracy, oneShotAccuracy } from '../core/metrics/classification'
import { oddOneOutAccuracy } from '../core/metrics/oddOneOut'
import { rdmFromFeatures } from '../core/metrics/rdm'
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

export interface BeforeAfterRow {
  measure: string
  base: number
  aligned: number
  /** 95% intervals where the measure has one. */
  baseCi95: [number, number] | null
  alignedCi95: [number, number] | null
  /** The best a model can do on these data, where known. */
  ceiling: [number, number] | null
}

/** What the table compares: two representations of the same n objects and the human data at hand. */
export interface BeforeAfterInputs {
  n: number
  base: { data: Float32Array; p: number }
  aligned: { data: Float32Array; p: number }
  /** Human triplets over the objects (count × 3, odd one out last). */
  triplets?: Int32Array
  /** The response time of each triplet, when recorded: entropy of the model's choice against RT. */
  rt?: Float32Array
  /** Human RDMs of the objects: one, or one per subject (subjects × n × n); `label` names them in the table. */
  rdms?: { data: Float64Array; subjects: number; label: string }
  /** One class label per object. */
  labels?: string[]
  bootstrap: number
  seed: number
}

/** The rows of the table: odd-one-out accuracy, Spearman RSA with the ceiling, one-shot and nearest-class-mean. */
export async function beforeAfterRows(inputs: BeforeAfterInputs): Promise<BeforeAfterRow[]> {
  const { n } = inputs
  const sides = [inputs.base, inputs.aligned] as const
  const rows: BeforeAfterRow[] = []
  if (inputs.triplets) {
    const triplets = inputs.triplets
    const rt = inputs.rt
    // Each side's entropies at its own τ fitted to the human choices: at τ = 1 a network's dot products make them all 0.
    const [b, a] = await Promise.all(sides.map(async (x) => oddOneOutAccuracy(await tripletSimilarities(x.data, n, x.p, triplets, 'dot'), triplets, n, { temperature: 'fit', ...(rt ? { rt } : {}) })))
    rows.push({ measure: `odd-one-out accuracy (${b!.total} human triplets)`, base: b!.accuracy, aligned: a!.accuracy, baseCi95: b!.ci95, alignedCi95: a!.ci95, ceiling: null })
    // Where people were slower the model should be less sure: a positive correlation is human-like.
    if (b!.entropyRtSpearman !== null && a!.entropyRtSpearman !== null) {
      rows.push({ measure: 'entropy of the choice (τ fitted) vs response time, Spearman', base: b!.entropyRtSpearman, aligned: a!.entropyRtSpearman, baseCi95: null, alignedCi95: null, ceiling: null })
    }
  }
  if (inputs.rdms) {
    const { data, subjects, label } = inputs.rdms
    const mean = new Float64Array(n * n)
    for (let s = 0; s < subjects; s++) for (let i = 0; i < n * n; i++) mean[i]! += data[s * n * n + i]! / subjects
    const rsa = (x: { data: Float32Array; p: number }) => resampledRsa(rdmFromFeatures(x.data, n, x.p, 'correlation'), mean, n, { method: 'spearman', bootstrap: inputs.bootstrap, permutations: 0, seed: inputs.seed })
    const [b, a] = [await rsa(inputs.base), await rsa(inputs.aligned)]
    const ceiling = subjects > 1 ? rdmNoiseCeiling(data, subjects, n, 'spearman') : null
    rows.push({ measure: `RSA, Spearman (${label})`, base: b.r, aligned: a.r, baseCi95: b.ci95, alignedCi95: a.ci95, ceiling: ceiling ? [ceiling.lower, ceiling.upper] : null })
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
  let rdms: BeforeAfterInputs['rdms']
  let rdmOrder: number[] | null = null
  if (request.rdms) {
    const read = await loadRepresentation(request.rdms, request.key)
    const matrix = await loadMatrix(request.rdms, read.array, 'dissimilarity')
    if (matrix.n !== base.n) throw new AppError('user', `${request.rdms} describes ${matrix.n} objects but the features have ${base.n} images.`)
    rdmOrder = objectOrder(named, { name: request.rdms, ids: read.ids })
    rdms = { data: rdmOrder ? reorderMatrix(matrix.data, matrix.n, rdmOrder) : matrix.data, subjects: matrix.subjects, label: matrix.subjects > 1 ? `mean of ${matrix.subjects} matrices` : 'matrix' }
  }
  const labels = request.labels ? readLabels(request.labels, base.n, 'images') : undefined
  if (labels && new Set(labels).size < 2) throw new AppError('user', `${request.labels} names one class; classification needs at least two.`)
  const rows = await beforeAfterRows({ n: base.n, base, aligned, ...(triplets ? { triplets } : {}), ...(rdms ? { rdms } : {}), ...(labels ? { labels } : {}), bootstrap: request.bootstrap, seed: request.seed })
  return { images: base.n, base: request.base, aligned: request.aligned, rows, ...matchedByName(alignedOrder ?? rdmOrder) }
}

/** The table as text: one line per measure, base, aligned and the change. */
export function formatBeforeAfter(result: Awaited<ReturnType<typeof beforeAfter>>): string {
  const width = Math.max(...result.rows.map((r) => r.measure.length))
  const ci = (c: [number, number] | null) => (c ? ` [${c[0].toFixed(3)}, ${c[1].toFixed(3)}]` : '')
  const lines = result.rows.map((r) => {
    const ceiling = r.ceiling ? `  ceiling ${r.ceiling[0].toFixed(3)}–${r.ceiling[1].toFixed(3)}` : ''
    const change = r.aligned - r.base
    return `${r.measure.padEnd(width)}  base ${r.base.toFixed(3)}${ci(r.baseCi95)}  aligned ${r.aligned.toFixed(3)}${ci(r.alignedCi95)}  change ${change >= 0 ? '+' : ''}${change.toFixed(3)}${ceiling}`
  })
  const matched = result.objectsMatchedByName ? ["objects put in the base's order by their names"] : []
  return [`${result.images} images: base ${result.base} vs aligned ${result.aligned}`, ...lines, ...matched].join('\n')
}
