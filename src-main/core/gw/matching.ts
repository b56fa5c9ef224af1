// What a transport plan says about correspondence (DESIGN §4): top-k matching rates from its rows, matching at
// the level of categories, and the objects it matches worst, with the partner it prefers.

/**
 * Top-k matching rates from the rows of a plan: the fraction of rows whose true partner (`partner[i]`, by default
 * the same index) is among the k largest entries of its row.
 */
export function matchingRates(plan: Float64Array, n: number, m: number, ks: number[] = [1, 5, 10], partner?: Int32Array): number[] {
  const hits = ks.map(() => 0)
  for (let i = 0; i < n; i++) {
    const target = partner ? partner[i]! : i
    const value = plan[i * m + target]!
    // The true partner's rank: how many other entries of the row are at least as large (a tie counts against).
    let larger = 0
    for (let j = 0; j < m; j++) if (j !== target && plan[i * m + j]! >= value) larger++
    ks.forEach((k, at) => {
      if (larger < k) hits[at]!++
    })
  }
  return hits.map((h) => h / n)
}

/** The column of each row's largest entry. */
export function rowPartners(plan: Float64Array, n: number, m: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => {
    let best = 0
    for (let j = 1; j < m; j++) if (plan[i * m + j]! > plan[i * m + best]!) best = j
    return best
  })
}

/**
 * Category-level matching: the fraction of rows whose preferred column (its largest entry) shares a category
 * with the row's object. `membership` is n × C (1: the object is in the category); objects in no category are
 * left out. Null when no object has a category.
 */
export function categoryMatching(plan: Float64Array, n: number, membership: Uint8Array, categories: number): { rate: number; objects: number } | null {
  const partners = rowPartners(plan, n, n)
  let [hits, objects] = [0, 0]
  for (let i = 0; i < n; i++) {
    const j = partners[i]!
    let any = false
    let shared = false
    for (let c = 0; c < categories; c++) {
      if (membership[i * categories + c]) {
        any = true
        if (membership[j * categories + c]) shared = true
      }
    }
    if (!any) continue
    objects++
    if (shared) hits++
  }
  return objects ? { rate: hits / objects, objects } : null
}

/** The `count` rows whose true partner (the same index) ranks lowest in their row, with their preferred column. */
export function worstMatched(plan: Float64Array, n: number, count: number): { index: number; rank: number; partner: number; mass: number }[] {
  const partners = rowPartners(plan, n, n)
  const rows = Array.from({ length: n }, (_, i) => {
    let rank = 1
    for (let j = 0; j < n; j++) if (j !== i && plan[i * n + j]! >= plan[i * n + i]!) rank++
    let total = 0
    for (let j = 0; j < n; j++) total += plan[i * n + j]!
    return { index: i, rank, partner: partners[i]!, mass: total > 0 ? plan[i * n + i]! / total : 0 }
  })
  return rows.sort((a, b) => b.rank - a.rank || a.mass - b.mass).slice(0, count)
}
