// Whether the human data chosen to evaluate an alignment is what the alignment learned from: a probe (the AligNet
// teacher) fitted to those triplets, or to triplets derived from those matrices. Then base against aligned is not a
// held-out test, and the AligNet page says so.
import type { DatasetInfo, RunInfo } from './contract'

export function fittedDataNote(runs: readonly RunInfo[], datasets: readonly DatasetInfo[], triplets: number | '', rdms: number | ''): string | null {
  const fittedTo = (id: number) => runs.find((r) => r.kind === 'probe' && (r.params as { triplets?: unknown } | null)?.triplets === id)
  const name = (id: number) => `"${datasets.find((d) => d.id === id)?.name ?? `dataset ${id}`}"`
  const found: string[] = []
  if (triplets !== '') {
    const probe = fittedTo(triplets)
    if (probe) found.push(`${name(triplets)} are the triplets probe run #${probe.id} was fitted to`)
  }
  if (rdms !== '') {
    for (const derived of datasets.filter((d) => d.kind === 'triplets' && d.meta.derivedFrom === rdms && d.id !== triplets)) {
      const probe = fittedTo(derived.id)
      if (probe) found.push(`${name(rdms)} gave the triplets probe run #${probe.id} was fitted to (${name(derived.id)})`)
    }
  }
  if (!found.length) return null
  return (
    `${found.join('; ')}. If that probe taught the student, this compares them on what the alignment learned from, not on held-out data. ` +
    "To test on people it did not see, fit the probe to half of the subjects' triplets and compare on the other half (Data page: Matrices as a dataset, then Derive triplets)."
  )
}
