import type { DatasetInfo } from '@api/contract'

/** How many objects a dataset describes (rows of features, the side of matrices, images, concepts, triplets' objects). */
export function objectCount(d: DatasetInfo): number {
  if (d.kind === 'features') return d.shape[0]!
  if (d.kind === 'similarity') return d.shape[d.shape.length - 1]!
  if (d.kind === 'triplets') return Number(d.meta.objects)
  return Number(d.meta.n ?? (Array.isArray(d.meta.ids) ? d.meta.ids.length : NaN))
}
