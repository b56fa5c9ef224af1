import type { DatasetInfo, RunInfo } from '@api/contract'

/** How many objects a dataset describes (rows of features, the side of matrices, images, concepts, triplets' objects). */
export function objectCount(d: DatasetInfo): number {
  if (d.kind === 'features') return d.shape[0]!
  if (d.kind === 'similarity') return d.shape[d.shape.length - 1]!
  if (d.kind === 'triplets') return Number(d.meta.objects)
  return Number(d.meta.n ?? (Array.isArray(d.meta.ids) ? d.meta.ids.length : NaN))
}

/**
 * The image set showing n objects: the one the named feature sets were extracted from when it has n images, else
 * any set of n images; null when the project has none.
 */
export function imageSetFor(datasets: DatasetInfo[], featureNames: string[], n: number): DatasetInfo | null {
  const sets = datasets.filter((d) => d.kind === 'images' && objectCount(d) === n)
  const sources = featureNames.map((name) => datasets.find((d) => d.kind === 'features' && d.name === name)?.meta.images)
  return sets.find((d) => sources.includes(d.name)) ?? sets[0] ?? null
}

/** The dataset a run's parameters name under `key` (its features, its first representation), while the project holds it. */
export function runDataset(runs: RunInfo[], datasets: DatasetInfo[], run: number | undefined, key: string): number | undefined {
  const id = (runs.find((r) => r.id === run)?.params as Record<string, unknown> | undefined)?.[key]
  return typeof id === 'number' && datasets.some((d) => d.id === id) ? id : undefined
}
