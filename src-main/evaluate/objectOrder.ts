// Lining up two representations' objects by name for a comparison, with two that name different objects refused as
// the user's error (light enough for the main thread: the triplet browser uses it too).
import type { DatasetInfo } from '../api/contract'
import { AppError } from '../api/errors'
import { ValidationError } from '../core/data/errors'
import { hasNames, matchObjects, reorderRows, type NamedObjects } from '../core/data/objectNames'

/** How b's objects line up with a's by name (matchObjects); null: as they are. */
export function objectOrder(a: NamedObjects, b: NamedObjects): number[] | null {
  try {
    return matchObjects(a, b)
  } catch (err) {
    if (err instanceof ValidationError) throw new AppError('user', err.message)
    throw err
  }
}

/**
 * The names a dataset's objects are known by: the ids of features, images, matrices and triplets, or the names of
 * concepts — except the numbers concepts are given when their table has no names column, which name nothing.
 */
export function objectNames(d: DatasetInfo): string[] | null {
  if (d.kind === 'concepts') return (d.meta.nameColumn !== null || typeof d.meta.namesFrom === 'string') && Array.isArray(d.meta.names) ? (d.meta.names as string[]) : null
  return Array.isArray(d.meta.ids) ? (d.meta.ids as string[]) : null
}

/** The same for two datasets of the project: order[k] is b's row of a's k-th object. */
export function datasetOrder(a: DatasetInfo, b: DatasetInfo): number[] | null {
  return objectOrder({ name: a.name, ids: objectNames(a) }, { name: b.name, ids: objectNames(b) })
}

/** Of datasets that share one order of their objects, the first that names them (else the first): it says the order. */
export const namedOf = (datasets: DatasetInfo[]): DatasetInfo => datasets.find((d) => hasNames(objectNames(d))) ?? datasets[0]!

/**
 * Rows of `source` (n × width: category memberships) put in the order of the objects a comparison uses, which
 * `targets` share (the triplets and the features put in their order): the first of them that names its objects says
 * it — an unnamed one took the others' order row by row.
 */
export function rowsInOrderOf<T extends Float64Array | Float32Array | Uint8Array>(targets: DatasetInfo[], source: DatasetInfo, rows: T, width: number): T {
  const order = datasetOrder(namedOf(targets), source)
  return order ? reorderRows(rows, width, order) : rows
}

/** What a result says when one dataset's objects were put in the other's order by their names. */
export const matchedByName = (order: number[] | null): { objectsMatchedByName?: true } => (order ? { objectsMatchedByName: true } : {})
