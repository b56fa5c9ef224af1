// The names of a similarity dataset's matrices (one per subject, or per source: monkey and human IT), for the
// forms that take one of them and for the job that does.
import type { DatasetInfo } from './contract'

/** How many matrices a dataset holds: a similarity dataset's subjects (or sources), one for anything else. */
export const matrixCount = (dataset: Pick<DatasetInfo, 'kind' | 'meta'>): number => (dataset.kind === 'similarity' ? Number(dataset.meta.subjects ?? 1) : 1)

/** The names the file gave the matrices (Meadows' arrays, a struct's name field), else "matrix 1", "matrix 2", … */
export function matrixNames(dataset: Pick<DatasetInfo, 'kind' | 'meta'>): string[] {
  const count = matrixCount(dataset)
  const named = dataset.meta.subjectsFrom
  return Array.isArray(named) && named.length === count ? named.map(String) : numberedMatrices(count)
}

/** Matrices by their numbers from 1, runs of consecutive ones as ranges: [8, 9, 10, 11] → "9–12", [0, 2, 3, 4] → "1, 3–5". */
export function matrixRanges(chosen: readonly number[]): string {
  const runs: [number, number][] = []
  for (const m of chosen) {
    const last = runs[runs.length - 1]
    if (last && m === last[1] + 1) last[1] = m
    else runs.push([m, m])
  }
  return runs.map(([a, b]) => (a === b ? `${a + 1}` : `${a + 1}–${b + 1}`)).join(', ')
}

/** "matrix 1" … "matrix count": the names of matrices a file does not name. */
export const numberedMatrices = (count: number): string[] => Array.from({ length: count }, (_, s) => `matrix ${s + 1}`)

/**
 * What a form says when a chosen dataset holds several matrices, which RSA, GW, maps and comparisons average: which
 * ones, and how to use one alone. Null when every chosen one is a single matrix or features.
 */
export function meanOfMatricesNote(datasets: readonly DatasetInfo[], chosen: readonly (number | '')[]): string | null {
  const several = datasets.filter((d) => chosen.includes(d.id) && matrixCount(d) > 1)
  if (!several.length) return null
  const named = several.map((d) => `"${d.name}" (${Number(d.meta.subjects)} matrices)`).join(' and ')
  return `${named}: the mean of ${several.length === 1 ? 'its' : 'their'} matrices is used. To use one alone, or some, make them a dataset of their own (Data page: Matrices as a dataset).`
}
