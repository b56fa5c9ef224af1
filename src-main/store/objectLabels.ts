// The names of a dataset's objects and the category each belongs to first, for views that label objects.
import type { ObjectLabels } from '../api/contract'
import { AppError } from '../api/errors'
import { datasetOrder } from '../evaluate/objectOrder'
import { readArtifact } from './artifacts'
import type { Db } from './database'
import { requireDataset } from './datasets'

/**
 * Names and first categories of a dataset's objects: a concepts dataset's names, or the ids of features or images;
 * with `orderOf`, in that dataset's order of the same objects where both name them.
 */
export function objectLabels(db: Db, projectDir: string, id: number, orderOf?: number): ObjectLabels {
  const found = requireDataset(db, id)
  const names = (found.kind === 'concepts' ? found.meta.names : found.meta.ids) as unknown[] | undefined
  if (!Array.isArray(names)) throw new AppError('user', `"${found.name}" (${found.kind}) has no object names; choose concepts, or features or images with ids.`)
  const categories = found.kind === 'concepts' ? ((found.meta.categories as string[] | undefined) ?? []) : []
  const n = names.length
  const category = new Array<number>(n).fill(-1)
  if (categories.length && found.artifact) {
    const membership = readArtifact(db, projectDir, found.artifact).data as Uint8Array
    for (let i = 0; i < n; i++) category[i] = categories.findIndex((_, c) => membership[i * categories.length + c] === 1)
  }
  const order = orderOf === undefined ? null : datasetOrder(requireDataset(db, orderOf), found)
  const inOrder = <T>(values: T[]): T[] => (order ? order.map((row) => values[row]!) : values)
  return { source: found.name, names: inOrder(names.map(String)), categories, category: inOrder(category) }
}
