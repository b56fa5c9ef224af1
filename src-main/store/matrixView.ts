import type { DatasetInfo, MatrixView } from '../api/contract'
import { AppError } from '../api/errors'
import { orderByCategory, type ObjectOrder } from '../core/data/objectOrder'
import type { NpyArray } from '../core/io/npy'
import { readArtifact } from './artifacts'
import type { Db } from './database'
import { getDataset, requireDataset } from './datasets'
import { requireGwPlan } from './gwPlan'
import type { NamedObjects } from '../core/data/objectNames'
import { namedOf, objectNames, objectOrder } from '../evaluate/objectOrder'

/** Names and category order of n objects from a concepts dataset (names, categories) or one with ids. */
function labelsOf(db: Db, projectDir: string, id: number, n: number): { source: string; names: string[]; ids: string[] | null; order: ObjectOrder } {
  const dataset = requireDataset(db, id)
  const names = (dataset.kind === 'concepts' ? dataset.meta.names : dataset.meta.ids) as string[] | undefined
  if (!Array.isArray(names)) throw new AppError('user', `"${dataset.name}" (${dataset.kind}) has no object names; choose concepts, or features or images with ids.`)
  if (names.length !== n) throw new AppError('user', `"${dataset.name}" names ${names.length} objects, but the matrix has ${n}; choose a dataset of the same objects.`)
  const categories = dataset.kind === 'concepts' ? (dataset.meta.categories as string[]) : []
  const membership = categories.length && dataset.artifact ? (readArtifact(db, projectDir, dataset.artifact).data as Uint8Array) : new Uint8Array(0)
  // Shown names, and those objects are matched by (numbered concepts name nothing).
  return { source: dataset.name, names: names.map(String), ids: objectNames(dataset), order: orderByCategory(n, categories, membership) }
}

/**
 * One subject's matrix (or the mean over subjects), its objects ordered by category when labels are given,
 * block-averaged to at most `maxSize` rows for display.
 */
export function matrixView(db: Db, projectDir: string, id: number, subject: number | null, maxSize: number, labelsFrom: number | null = null): MatrixView {
  const dataset = requireDataset(db, id)
  if (dataset.kind !== 'similarity' || !dataset.artifact) throw new AppError('user', `Dataset ${id} ("${dataset.name}") is ${dataset.kind}, not a similarity matrix.`)
  const named = Array.isArray(dataset.meta.ids) ? { name: dataset.name, ids: dataset.meta.ids as string[] } : null
  return arrayView(db, projectDir, readArtifact(db, projectDir, dataset.artifact), String(dataset.meta.measure ?? 'dissimilarity'), subject, maxSize, labelsFrom, named)
}

/** The transport plan of a GW run, shown as a matrix (rows: the first representation's objects). */
export function planView(db: Db, projectDir: string, id: number, maxSize: number): MatrixView {
  const { run, sha } = requireGwPlan(db, id)
  const params = run.params as { a?: number; b?: number; categoriesFrom?: number }
  // Rows and columns are A's objects (B's were put in A's order): grouped by the categories of those objects by name.
  const sides = [params.a, params.b].flatMap((id) => (id === undefined ? [] : [getDataset(db, id)])).filter((d): d is DatasetInfo => d !== undefined)
  const reference = sides.length ? namedOf(sides) : null
  const named = reference ? { name: reference.name, ids: objectNames(reference) } : null
  return arrayView(db, projectDir, readArtifact(db, projectDir, sha), 'transported mass', null, maxSize, params.categoriesFrom ?? null, named)
}

/**
 * The view of an n×n array; `named`: the matrix's own object names, by which its rows are matched to the labels'
 * objects when the two list them in different orders.
 */
function arrayView(db: Db, projectDir: string, array: NpyArray, measure: string, subject: number | null, maxSize: number, labelsFrom: number | null, named: NamedObjects | null = null): MatrixView {
  const n = array.shape[array.shape.length - 1]!
  const subjects = array.shape.length === 3 ? array.shape[0]! : 1
  if (subject !== null && subject >= subjects) throw new AppError('user', `The matrix has ${subjects} subject(s); there is no subject ${subject}.`)
  const labels = labelsFrom === null ? null : labelsOf(db, projectDir, labelsFrom, n)
  const rowOf = labels && named ? objectOrder({ name: labels.source, ids: labels.ids }, named) : null
  // Position k shows the labels' object order[k], which is the matrix's row rowOf[order[k]].
  const shown = labels?.order.order ?? Array.from({ length: n }, (_, i) => i)
  const order = rowOf ? shown.map((i) => rowOf[i]!) : shown
  const data = array.data as Float64Array | Float32Array
  const size = Math.min(n, maxSize)
  const sums = new Float64Array(size * size)
  const counts = new Float64Array(size * size)
  const cell = (i: number) => Math.min(size - 1, Math.floor((i * size) / n))
  for (let s = subject ?? 0; s < (subject === null ? subjects : subject + 1); s++) {
    for (let i = 0; i < n; i++) {
      const row = s * n * n + order[i]! * n
      for (let j = 0; j < n; j++) {
        const k = cell(i) * size + cell(j)
        sums[k]! += data[row + order[j]!]!
        counts[k]!++
      }
    }
  }
  const values = Array.from(sums, (v, k) => v / counts[k]!)
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      if (i === j) continue
      min = Math.min(min, values[i * size + j]!)
      max = Math.max(max, values[i * size + j]!)
    }
  }
  return {
    n,
    size,
    subjects,
    subject,
    values,
    min,
    max,
    measure,
    labels: labels && { source: labels.source, names: shown.map((i) => labels.names[i]!), groups: labels.order.groups },
  }
}
