// The headline of a run in one line — its main figure — for the Results page's list of runs and the Jobs page.
// Results are read defensively: runs stored by older versions may lack a field (shown as "—").

type Result = Record<string, unknown>

const fixed = (v: unknown, digits = 4): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—')
const interval = (v: unknown): string => (Array.isArray(v) && v.length === 2 ? ` [${fixed(v[0])}, ${fixed(v[1])}]` : '')
const percent = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '—')
const record = (v: unknown): Result => (typeof v === 'object' && v !== null ? (v as Result) : {})

/** Against several matrices, the mean of the correlations with each ± SEM; nothing for one. */
const perMatrixHeadline = (p: Result): string =>
  typeof p.mean === 'number' && Array.isArray(p.r) ? `; with each of ${p.r.length} matrices ${fixed(p.mean)}${typeof p.sem === 'number' ? ` ± ${fixed(p.sem)}` : ''}` : ''

const HEADLINES: Record<string, (r: Result) => string> = {
  'odd-one-out': (r) => `accuracy ${fixed(r.accuracy)}${interval(r.ci95)} (${String(r.correct)} of ${String(r.total)})`,
  rsa: (r) => `${String(r.method)} r ${fixed(r.r)}${interval(r.ci95)}${typeof r.p === 'number' ? `, p ${r.p.toPrecision(3)}` : ''}${perMatrixHeadline(record(r.perMatrix))}`,
  ceiling: (r) =>
    typeof r.lower === 'number'
      ? `lower ${fixed(r.lower)}, upper ${fixed(r.upper)}`
      : `leave-one-out agreement ${fixed(r.ceiling)} (${String(r.responses)} responses to ${String(r.repeatedTriplets)} repeated triplets)`,
  cka: (r) => `CKA ${fixed(r.cka)}`,
  probe: (r) => `held-out accuracy ${fixed(r.meanHeldOut)} (zero-shot ${fixed(r.meanZeroShot)}), λ = ${String(record(r.chosen).lambda ?? '—')}`,
  gw: (r) => `ε = ${typeof r.epsilon === 'number' ? r.epsilon.toPrecision(3) : '—'}, loss ${typeof r.loss === 'number' ? r.loss.toPrecision(4) : '—'}, top-1 matching ${percent(record(r.matching).top1)}`,
  map: (r) => `${String(r.n)} objects in 2-D`,
  compare: (r) => `${Array.isArray(r.names) ? r.names.length : '—'} representations, RSA between every pair`,
  alignetClusters: (r) => `k = ${String(r.k)} clusters of ${String(r.n)} objects${typeof r.elbow === 'number' ? ` (elbow at k = ${r.elbow})` : ''}`,
  alignetDistill: (r) => `student "${String(r.student)}", divergence ${fixed(r.divergenceFirst)} → ${fixed(r.divergenceLast)} over ${String(r.steps)} steps`,
  alignetEvaluate: (r) => {
    const first = record(Array.isArray(r.rows) ? r.rows[0] : null)
    return first.measure === undefined ? `${String(r.objects)} objects` : `${String(first.measure)}: ${fixed(first.base)} → ${fixed(first.aligned)}`
  },
  attention: (r) => {
    const mean = record(record(r.scores).mean)
    return `${String(r.images)} maps${mean.spearman === undefined ? '' : `; against human maps Spearman ${fixed(mean.spearman, 3)}, AUC ${fixed(mean.auc, 3)}`}`
  },
  attentionMask: (r) => `same class kept ${percent(record(r.salient).agreement)} with the salient ${percent(r.keep)}, ${percent(record(r.random).agreement)} at random`,
}

/** One line with the run's main figure; empty for a kind this version does not know. */
export function runHeadline(kind: string, result: unknown): string {
  const headline = HEADLINES[kind]
  return headline ? headline(record(result)) : ''
}
