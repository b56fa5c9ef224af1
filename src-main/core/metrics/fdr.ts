// Benjamini and Hochberg's false discovery rate: p-values adjusted so that those at most q are the discoveries at
// rate q (scipy.stats.false_discovery_control(p), method 'bh'). Nili et al. (2014) control pairwise model
// comparisons so.

export function benjaminiHochberg(p: readonly number[]): number[] {
  const m = p.length
  const order = p.map((_, i) => i).sort((a, b) => p[a]! - p[b]!)
  const adjusted = new Array<number>(m)
  let running = 1
  for (let k = m - 1; k >= 0; k--) {
    const i = order[k]!
    running = Math.min(running, (p[i]! * m) / (k + 1))
    adjusted[i] = running
  }
  return adjusted
}
