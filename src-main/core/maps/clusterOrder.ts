// The leaf order of an average-linkage (UPGMA) clustering, for ordering the rows and columns of a comparison
// matrix so that similar representations sit together. Same merges and leaf order as SciPy's
// leaves_list(linkage(squareform(D), 'average')): the closest pair merges first (ties to the earlier pair), the
// new cluster takes the next id, and its children are the lower id on the left.

/** Leaves of the average-linkage dendrogram of an m × m distance matrix, left to right. */
export function averageLinkageOrder(d: ArrayLike<number>, m: number): number[] {
  if (m <= 2) return Array.from({ length: m }, (_, i) => i)
  // Active clusters: id → { size, members in leaf order }; distances between active clusters by id pair.
  const size = new Map<number, number>()
  const leaves = new Map<number, number[]>()
  const distance = new Map<number, Map<number, number>>()
  for (let i = 0; i < m; i++) {
    size.set(i, 1)
    leaves.set(i, [i])
    distance.set(i, new Map())
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) distance.get(i)!.set(j, d[i * m + j]!)
  let next = m
  while (size.size > 1) {
    let best: [number, number] = [-1, -1]
    let bestDistance = Infinity
    const ids = [...size.keys()].sort((a, b) => a - b)
    for (const a of ids) for (const b of ids) if (a < b && distance.get(a)!.get(b)! < bestDistance) {
      bestDistance = distance.get(a)!.get(b)!
      best = [a, b]
    }
    const [a, b] = best
    const [sa, sb] = [size.get(a)!, size.get(b)!]
    const merged = new Map<number, number>()
    for (const c of ids) if (c !== a && c !== b) {
      const value = (sa * distance.get(a)!.get(c)! + sb * distance.get(b)!.get(c)!) / (sa + sb)
      merged.set(c, value)
      distance.get(c)!.set(next, value)
      distance.get(c)!.delete(a)
      distance.get(c)!.delete(b)
    }
    distance.set(next, merged)
    leaves.set(next, [...leaves.get(a)!, ...leaves.get(b)!])
    size.set(next, sa + sb)
    for (const gone of [a, b]) {
      size.delete(gone)
      leaves.delete(gone)
      distance.delete(gone)
    }
    next++
  }
  return leaves.get(next - 1)!
}
