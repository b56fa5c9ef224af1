// Whether the human data chosen to evaluate an alignment is what the alignment learned from: a probe (the AligNet
// teacher) fitted to those triplets, or to triplets derived from matrices of the same subjects (the same dataset, or
// selections of one dataset's matrices that share any). Then base against aligned is not a held-out test, and the
// AligNet page says so.
import type { DatasetInfo, RunInfo } from './contract'

/** The matrices a dataset stands for: its source dataset's id and which of that one's matrices (from 0). */
interface Subjects {
  source: number
  matrices: number[]
}

/** A similarity dataset's subjects, followed back through selections; triplets derived from one, that one's. */
function subjectsOf(datasets: readonly DatasetInfo[], id: number, depth = 0): Subjects | null {
  const dataset = datasets.find((d) => d.id === id)
  if (!dataset || depth > 20) return null
  if (dataset.kind === 'triplets') return typeof dataset.meta.derivedFrom === 'number' ? subjectsOf(datasets, dataset.meta.derivedFrom, depth + 1) : null
  if (dataset.kind !== 'similarity') return null
  const parent = dataset.meta.matrixOfDataset
  const chosen = dataset.meta.matrices
  if (typeof parent === 'number' && Array.isArray(chosen)) {
    const above = subjectsOf(datasets, parent, depth + 1)
    if (above) return { source: above.source, matrices: chosen.map((m) => above.matrices[Number(m)]!) }
  }
  return { source: dataset.id, matrices: Array.from({ length: Number(dataset.meta.subjects ?? 1) }, (_, s) => s) }
}

/** How many subjects two sets of matrices share: 0 when they come from different datasets. */
function shared(a: Subjects | null, b: Subjects | null): number {
  if (!a || !b || a.source !== b.source) return 0
  return a.matrices.filter((m) => b.matrices.includes(m)).length
}

/** What a probe was fitted to among the chosen triplets and matrices, one sentence each (the newest such probe): or null. */
export function fittedDataNote(runs: readonly RunInfo[], datasets: readonly DatasetInfo[], triplets: number | '', rdms: number | ''): string | null {
  const name = (id: number) => `"${datasets.find((d) => d.id === id)?.name ?? `dataset ${id}`}"`
  const probes = runs.flatMap((r) => {
    const fitted = (r.params as { triplets?: unknown } | null)?.triplets
    return r.kind === 'probe' && typeof fitted === 'number' ? [{ id: r.id, fitted, subjects: subjectsOf(datasets, fitted) }] : []
  })
  const found = [triplets, rdms].flatMap((chosen) => {
    if (chosen === '') return []
    const same = probes.find((p) => p.fitted === chosen)
    if (same) return [`${name(chosen)} are the triplets probe run #${same.id} was fitted to`]
    const subjects = subjectsOf(datasets, chosen)
    const overlapping = probes.find((p) => shared(subjects, p.subjects) > 0)
    if (!overlapping) return []
    const count = shared(subjects, overlapping.subjects)
    return [`${name(chosen)} come from ${count === 1 ? 'a subject' : `${count} subjects`} whose judgments probe run #${overlapping.id} was fitted to (${name(overlapping.fitted)})`]
  })
  if (!found.length) return null
  return (
    `${found.join('; ')}. If that probe taught the student, this compares them on what the alignment learned from, not on held-out data. ` +
    "To test on people it did not see, fit the probe to half of the subjects' triplets and compare on the other half (Data page: Matrices as a dataset, then Derive triplets)."
  )
}
