// `humanalign alignet evaluate`: one "base vs aligned" table for two representations of the same images (the
// base model's and the distilled student's features) on the human data the user has — odd-one-out accuracy on
// human triplets, RSA against human RDMs (with their noise ceiling), and one-shot / nearest-class-mean
// classification of labelled images.
import { AppError } from '../api/errors'
import type { BackendName } from '../core/compute/backend'
import { nearestClassMeanAccuracy, oneShotAccuracy } from '../core/metrics/classification'
import { evalCeiling, evalOddOneOut, evalRsa } from './evaluations'
import { loadArray, loadFeatures, loadMatrix, readLabels } from './inputs'

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

export async function beforeAfter(request: BeforeAfterRequest) {
  const [base, aligned] = [await loadFeatures(request.base), await loadFeatures(request.aligned)]
  if (base.n !== aligned.n) throw new AppError('user', `${request.base} has ${base.n} images but ${request.aligned} has ${aligned.n}; both must describe the same images in the same order.`)
  if (!request.triplets && !request.rdms && !request.labels) throw new AppError('user', 'Nothing to evaluate on: give human --triplets, --rdms, or image --labels.')
  const rows: BeforeAfterRow[] = []
  if (request.triplets) {
    const run = (features: string) => evalOddOneOut({ features, triplets: request.triplets!, similarity: 'dot', backend: request.backend, ...(request.oneBased === undefined ? {} : { oneBased: request.oneBased }) })
    const [b, a] = [await run(request.base), await run(request.aligned)]
    rows.push({ measure: `odd-one-out accuracy (${b.total} human triplets)`, base: b.accuracy, aligned: a.accuracy, baseCi95: b.ci95, alignedCi95: a.ci95, ceiling: null })
  }
  if (request.rdms) {
    const run = (features: string) =>
      evalRsa({ a: features, b: request.rdms!, ...(request.key ? { keyB: request.key } : {}), rdm: 'correlation', method: 'spearman', bootstrap: request.bootstrap, permutations: 0, seed: request.seed })
    const [b, a] = [await run(request.base), await run(request.aligned)]
    const subjects = (await loadMatrix(request.rdms, await loadArray(request.rdms, request.key), 'dissimilarity')).subjects
    const ceiling = subjects > 1 ? await evalCeiling(request.rdms, request.key, 'spearman') : null
    rows.push({ measure: `RSA, Spearman (${b.b})`, base: b.r, aligned: a.r, baseCi95: b.ci95, alignedCi95: a.ci95, ceiling: ceiling ? [ceiling.lower, ceiling.upper] : null })
  }
  if (request.labels) {
    const labels = readLabels(request.labels, base.n, 'images')
    if (new Set(labels).size < 2) throw new AppError('user', `${request.labels} names one class; classification needs at least two.`)
    const classes = new Set(labels).size
    rows.push({
      measure: `one-shot accuracy (${classes} classes, 100 draws)`,
      base: oneShotAccuracy(base.data, base.n, base.p, labels, 100, request.seed),
      aligned: oneShotAccuracy(aligned.data, aligned.n, aligned.p, labels, 100, request.seed),
      baseCi95: null,
      alignedCi95: null,
      ceiling: null,
    })
    rows.push({
      measure: `nearest class mean, leave-one-out (${classes} classes)`,
      base: nearestClassMeanAccuracy(base.data, base.n, base.p, labels),
      aligned: nearestClassMeanAccuracy(aligned.data, aligned.n, aligned.p, labels),
      baseCi95: null,
      alignedCi95: null,
      ceiling: null,
    })
  }
  return { images: base.n, base: request.base, aligned: request.aligned, rows }
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
  return [`${result.images} images: base ${result.base} vs aligned ${result.aligned}`, ...lines].join('\n')
}
