import type { DatasetInfo, RunInfo } from '@api/contract'
import { objectCount } from '@api/objectCount'

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
