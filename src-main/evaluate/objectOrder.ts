// Lining up two representations' objects by name for a comparison, with two that name different objects refused as
// the user's error (light enough for the main thread: the triplet browser uses it too).
import type { DatasetInfo } from '../api/contract'
import { AppError } from '../api/errors'
import { ValidationError } from '../core/data/errors'
import { matchObjects, type NamedObjects } from '../core/data/objectNames'

/** How b's objects line up with a's by name (matchObjects); null: as they are. */
export function objectOrder(a: NamedObjects, b: NamedObjects): number[] | null {
  try {
    return matchObjects(a, b)
  } catch (err) {
    if (err instanceof ValidationError) throw new AppError('user', err.message)
    throw err
  }
}

/** The same for two datasets of the project, by the ids their metadata keep. */
export function datasetOrder(a: DatasetInfo, b: DatasetInfo): number[] | null {
  const objects = (d: DatasetInfo) => ({ name: d.name, ids: Array.isArray(d.meta.ids) ? (d.meta.ids as string[]) : null })
  return objectOrder(objects(a), objects(b))
}

/** What a result says when one dataset's objects were put in the other's order by their names. */
export const matchedByName = (order: number[] | null): { objectsMatchedByName?: true } => (order ? { objectsMatchedByName: true } : {})
