// An RSA run as a bar of a chart beside a noise ceiling, for the Results page and the HTML report alike.
import type { RunInfo } from './contract'

export interface RsaBar {
  label: string
  r: number
  ci: [number, number] | null
  method: string
  /** The human data whose ceiling the bar is read against: B, or A where A holds the subjects' matrices. */
  against: string
  /** What the whisker is, when not the bootstrap's 95% interval (± SEM over subjects). */
  whisker?: string
}

interface RsaRunResult {
  r?: number
  ci95?: [number, number] | null
  method?: string
  a?: string
  b?: string
  perMatrix?: { side?: 'a' | 'b'; r: unknown[]; mean: number | null; sem: number | null }
}

/**
 * Against several subjects' matrices, the mean of the correlations with each, ± its standard error: what their noise
 * ceiling bounds (Nili et al. 2014), unlike the correlation with their mean RDM. Otherwise r with its bootstrap interval.
 */
export function rsaBar(result: unknown): RsaBar {
  const r = (result ?? {}) as RsaRunResult
  const label = `${r.a ?? '?'} × ${r.b ?? '?'}`
  const each = r.perMatrix
  const common = { method: r.method ?? '', against: (each?.side === 'a' ? r.a : r.b) ?? '' }
  if (each && each.mean !== null) {
    const ci: [number, number] | null = each.sem === null ? null : [each.mean - each.sem, each.mean + each.sem]
    return { label: `${label} (mean over ${each.r.length} matrices)`, r: each.mean, ci, whisker: '± SEM', ...common }
  }
  return { label, r: r.r ?? NaN, ci: r.ci95 ?? null, ...common }
}

/** The noise ceiling the bars are read against: the first ceiling run (in `runs`' order) of data some bar is against. */
export function ceilingFor(bars: readonly RsaBar[], runs: readonly RunInfo[]): { lower: number; upper: number; label: string } | null {
  const against = new Set(bars.map((b) => b.against))
  const run = runs.find((r) => r.kind === 'ceiling' && against.has(String((r.result as { dataset?: string } | null)?.dataset)))
  const c = run?.result as { lower?: number; upper?: number } | undefined
  return c && typeof c.lower === 'number' && typeof c.upper === 'number' ? { lower: c.lower, upper: c.upper, label: `${c.lower.toFixed(3)}–${c.upper.toFixed(3)}` } : null
}
