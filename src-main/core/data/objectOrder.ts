// The order in which objects are shown: grouped by category, so that an RDM's block structure (faces with faces,
// animals with animals) is visible.

export interface ObjectGroup {
  name: string
  /** First object (inclusive) and end (exclusive), in display order. */
  start: number
  end: number
}

export interface ObjectOrder {
  /** order[k] is the object shown at position k. */
  order: number[]
  groups: ObjectGroup[]
}

/**
 * Objects sorted (stably) by their first category in `categories` order; objects in none come last as
 * "uncategorised". `membership` is n × categories, 1 where an object belongs to a category.
 */
export function orderByCategory(n: number, categories: string[], membership: ArrayLike<number>): ObjectOrder {
  const c = categories.length
  const primary = Array.from({ length: n }, (_, i) => {
    for (let j = 0; j < c; j++) if (membership[i * c + j] === 1) return j
    return c
  })
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => primary[a]! - primary[b]! || a - b)
  const groups: ObjectGroup[] = []
  for (let k = 0; k < n; k++) {
    const j = primary[order[k]!]!
    const last = groups[groups.length - 1]
    const name = j < c ? categories[j]! : 'uncategorised'
    if (last && last.name === name) last.end = k + 1
    else groups.push({ name, start: k, end: k + 1 })
  }
  return { order, groups }
}
