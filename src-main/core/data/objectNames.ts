// Objects known by name: looking a name up in a dataset's ids, and lining up two datasets of the same objects that
// list them in different orders (features in file order, an RDM sorted by condition name), so that RSA, CKA and GW
// compare each object with itself.
import { ValidationError } from './errors'

/** A file name without its folder and extension: "images/cat_01b.jpg" and "cat_01b.png" name the same object. */
const stem = (path: string): string => path.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '')

/** The concept a THINGS image is of: "chicken1_01b" and "zebra_12s" are images of chicken1 and zebra. */
const conceptOf = (stem: string): string => stem.replace(/_\d+[a-z]?$/, '')

/** Keys to the index of the one id each names; a key two ids share names neither. */
function uniqueIndex(ids: readonly string[], key: (id: string) => string): (k: string) => number | undefined {
  const found = new Map<string, number>()
  const shared = new Set<string>()
  ids.forEach((id, i) => {
    const k = key(id)
    if (found.has(k)) shared.add(k)
    found.set(k, i)
  })
  return (k) => (shared.has(k) ? undefined : found.get(k))
}

/**
 * The index of a name in a list of ids: the same id, else the one id with the same file stem; else, THINGS' way of
 * naming images after concepts, the one id that is the concept the name's image is of (an image against concept
 * ids), or the one image of the concept the name is (a concept against a folder of one image per concept).
 */
export function objectLookup(ids: readonly string[]): (name: string) => number | undefined {
  const exact = new Map(ids.map((id, i) => [id, i]))
  const byStem = uniqueIndex(ids, stem)
  const byConcept = uniqueIndex(ids, (id) => conceptOf(stem(id)))
  return (name) => exact.get(name) ?? byStem(stem(name)) ?? byStem(conceptOf(stem(name))) ?? byConcept(stem(name))
}

/** A dataset's objects: its name (for messages) and its ids, if it has any. */
export interface NamedObjects {
  name: string
  ids?: readonly string[] | null
}

/** Ids that say something: not absent, and not the row numbers an unnamed dataset is given ("0", "1", …). */
export const hasNames = (ids: readonly string[] | null | undefined): ids is readonly string[] => !!ids && ids.some((id, i) => id !== String(i))

function sample(names: string[]): string {
  return names.slice(0, 3).map((n) => `"${n}"`).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '')
}

/**
 * How b's objects line up with a's: null when they need nothing (either is unnamed, both list the same objects in
 * the same order, or no name is common to both: other naming conventions, compared row by row), else `order[k]` is b's
 * row of a's k-th object. Names match as ids or as file names without folder and extension. Two datasets whose names
 * partly agree (some objects only one of them has) are refused, naming some of those objects.
 */
export function matchObjects(a: NamedObjects, b: NamedObjects): number[] | null {
  if (!hasNames(a.ids) || !hasNames(b.ids)) return null
  if (a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids![i])) return null
  const lookup = objectLookup(b.ids)
  const order = a.ids.map((id) => lookup(id))
  const missing = a.ids.filter((_, k) => order[k] === undefined)
  // No name in common: two naming conventions (concept names and image codes), not two object sets; row by row.
  if (missing.length === a.ids.length) return null
  const used = new Set(order)
  const extra = b.ids.filter((_, i) => !used.has(i))
  if (missing.length || extra.length || used.size !== order.length) {
    const what = [missing.length ? `${sample(missing)} of "${a.name}" ${missing.length === 1 ? 'is' : 'are'} not in "${b.name}"` : '', extra.length ? `${sample(extra)} of "${b.name}" ${extra.length === 1 ? 'is' : 'are'} not in "${a.name}"` : '']
    throw new ValidationError(`"${a.name}" and "${b.name}" name different objects: ${what.filter(Boolean).join('; ') || 'some names match more than one object'}. Compare representations of the same objects.`)
  }
  // The same objects in the same order, named alike (cat and cat.jpg): nothing to reorder.
  return order.every((row, k) => row === k) ? null : (order as number[])
}

/** An n×n matrix (or several, one after another) with rows and columns taken in `order`. */
export function reorderMatrix<T extends Float64Array | Float32Array>(matrix: T, n: number, order: readonly number[]): T {
  const out = new (matrix.constructor as new (length: number) => T)(matrix.length)
  for (let s = 0; s < matrix.length; s += n * n) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[s + i * n + j] = matrix[s + order[i]! * n + order[j]!]!
  }
  return out
}

/**
 * An n×n matrix's columns put back where `order` took them from (a GW plan's columns, in A's order, back in B's own):
 * column order[k] of the result is column k.
 */
export function restoreColumns<T extends Float64Array | Float32Array>(matrix: T, n: number, order: readonly number[]): T {
  const out = new (matrix.constructor as new (length: number) => T)(n * n)
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) out[i * n + order[k]!] = matrix[i * n + k]!
  return out
}

/** The rows of an n×p matrix (features, weights, category memberships) taken in `order`. */
export function reorderRows<T extends Float64Array | Float32Array | Uint8Array>(rows: T, p: number, order: readonly number[]): T {
  const out = new (rows.constructor as new (length: number) => T)(order.length * p)
  order.forEach((row, k) => out.set(rows.subarray(row * p, (row + 1) * p), k * p))
  return out
}

/** Triplets of one list's objects renumbered as rows of another: object i becomes `order[i]`. */
export function renumberTriplets(indices: Int32Array, order: readonly number[]): Int32Array {
  const out = new Int32Array(indices.length)
  for (let k = 0; k < indices.length; k++) out[k] = order[indices[k]!]!
  return out
}
