// Features of images averaged into features of their categories: THINGS keeps a dozen images of each of its 1,854
// concepts, one folder each, while the human triplets are of the concepts; a model's concept features are the mean
// of its features of the concept's images.
import { ValidationError } from './errors'
import { hasNames, objectLookup } from './objectNames'
import { categorySums } from './wasm/categorySums'

export interface CategoryMeans {
  /** One row per category that has images, in the categories' order, summed in float64. */
  data: Float32Array
  ids: string[]
  p: number
  /** How many rows each mean is of. */
  counts: number[]
  /** Rows in no category, left out. */
  uncategorised: number
  /** Rows in several categories (THINGSplus: "animal" and "mammal"), counted in each. */
  shared: number
  /** Categories none of the rows is in, left out. */
  empty: string[]
}

/**
 * Each row's category in a rows × width table of memberships (nonzero: in it): its column, −1 for none, −2 for
 * several. The table is read four bytes at a time, a row's ones found where a word is not zero: THINGS' 26,107
 * images × 1,854 folders in ~25 ms, where TypedArray.indexOf row by row takes 40.
 */
export function rowCategories(membership: Uint8Array, rows: number, width: number): Int32Array {
  const table = membership.byteOffset % 4 ? membership.slice(0, rows * width) : membership.subarray(0, rows * width)
  const out = new Int32Array(rows).fill(-1)
  const mark = (b: number) => {
    const r = Math.floor(b / width)
    out[r] = out[r] === -1 ? b - r * width : -2
  }
  const words = new Uint32Array(table.buffer, table.byteOffset, table.length >>> 2)
  for (let w = 0; w < words.length; w++) {
    if (words[w] === 0) continue
    for (let b = 4 * w; b < 4 * w + 4; b++) if (table[b]) mark(b)
  }
  for (let b = 4 * words.length; b < table.length; b++) if (table[b]) mark(b)
  return out
}

/**
 * The mean of the feature rows in each category. `membership` (objects × categories, 1: in it) is the categories'
 * table, whose objects `names` names: each feature row is found there by its id (or file name), or by its row number
 * when either side has no names or no name is common to both. A row in several categories (categories that nest,
 * as THINGSplus' do) counts in the mean of each.
 */
export function categoryMeans(
  features: { data: Float32Array; n: number; p: number; ids: readonly string[] | null; name: string },
  table: { membership: Uint8Array; categories: readonly string[]; names: readonly string[] | null; name: string },
): CategoryMeans {
  const { n, p } = features
  const width = table.categories.length
  const objects = table.membership.length / Math.max(width, 1)
  const named = hasNames(features.ids) && hasNames(table.names)
  if (!named && objects !== n) {
    throw new ValidationError(`"${features.name}" has ${n} rows and "${table.name}" ${objects} objects, and one of them does not name its objects, so they cannot be matched; give both the same objects, or names.`)
  }
  // Features extracted from an image set list its images as its categories' table does: nothing to look up. Names
  // with none in common are two naming conventions of the same objects (as matchObjects takes them): row by row.
  const same = named && objects === n && features.ids!.every((id, i) => id === table.names![i])
  const found = named && !same ? objectLookup(table.names!) : null
  const unrelated = found !== null && objects === n && features.ids!.every((id) => found(id) === undefined)
  const lookup = unrelated ? null : found
  const ofObject = rowCategories(table.membership, objects, width)
  // Each row's category, and for rows in several, layer k holding their k-th (−1 elsewhere): one pass of sums a layer.
  const layers = [new Int32Array(n).fill(-1)]
  const missing: string[] = []
  let shared = 0
  for (let i = 0; i < n; i++) {
    const row = lookup ? lookup(features.ids![i]!) : i
    if (row === undefined) {
      missing.push(features.ids![i]!)
      continue
    }
    if (ofObject[row] !== -2) {
      layers[0]![i] = ofObject[row]!
      continue
    }
    shared++
    let k = 0
    table.membership.subarray(row * width, (row + 1) * width).forEach((v, c) => {
      if (!v) return
      if (k === layers.length) layers.push(new Int32Array(n).fill(-1))
      layers[k++]![i] = c
    })
  }
  if (missing.length) {
    const some = missing.slice(0, 3).map((m) => `"${m}"`).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '')
    throw new ValidationError(`${some} of "${features.name}" ${missing.length === 1 ? 'is' : 'are'} not in "${table.name}"; give the categories of the images the features are of.`)
  }
  const counts = new Array<number>(width).fill(0)
  for (const layer of layers) for (const c of layer) if (c >= 0) counts[c]!++
  const sums = categorySums(features.data, layers[0]!, n, p, width)
  for (const layer of layers.slice(1)) {
    const more = categorySums(features.data, layer, n, p, width)
    for (let j = 0; j < sums.length; j++) sums[j]! += more[j]!
  }
  const kept = counts.flatMap((count, c) => (count ? [c] : []))
  if (!kept.length) throw new ValidationError(`none of the rows of "${features.name}" is in a category of "${table.name}".`)
  const data = new Float32Array(kept.length * p)
  kept.forEach((c, k) => {
    for (let d = 0; d < p; d++) data[k * p + d] = sums[c * p + d]! / counts[c]!
  })
  return {
    data,
    ids: kept.map((c) => table.categories[c]!),
    p,
    counts: kept.map((c) => counts[c]!),
    uncategorised: layers[0]!.reduce((s, c) => s + (c < 0 ? 1 : 0), 0),
    shared,
    empty: table.categories.filter((_, c) => !counts[c]),
  }
}
