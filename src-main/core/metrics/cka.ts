// Linear centered kernel alignment (Kornblith et al. 2019) between two feature sets of the same n objects:
// biased HSIC, and the unbiased estimator (Song et al. 2012) that does not drift with n.

function gram(x: Float64Array | Float32Array, n: number, p: number): Float64Array {
  const k = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0
      for (let d = 0; d < p; d++) s += x[i * p + d]! * x[j * p + d]!
      k[i * n + j] = k[j * n + i] = s
    }
  }
  return k
}

function center(k: Float64Array, n: number): Float64Array {
  const rowMean = new Float64Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rowMean[i]! += k[i * n + j]!
    total += rowMean[i]!
    rowMean[i]! /= n
  }
  total /= n * n
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = k[i * n + j]! - rowMean[i]! - rowMean[j]! + total
  return out
}

function hsicBiased(k: Float64Array, l: Float64Array, n: number): number {
  const kc = center(k, n)
  const lc = center(l, n)
  let s = 0
  for (let i = 0; i < n * n; i++) s += kc[i]! * lc[i]!
  return s
}

function hsicUnbiased(k: Float64Array, l: Float64Array, n: number): number {
  if (n < 4) throw new RangeError('unbiased CKA needs at least four objects')
  const kt = Float64Array.from(k)
  const lt = Float64Array.from(l)
  for (let i = 0; i < n; i++) kt[i * n + i] = lt[i * n + i] = 0
  let trace = 0
  let sumK = 0
  let sumL = 0
  const rowK = new Float64Array(n)
  const rowL = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      trace += kt[i * n + j]! * lt[i * n + j]!
      rowK[i]! += kt[i * n + j]!
      rowL[i]! += lt[i * n + j]!
    }
    sumK += rowK[i]!
    sumL += rowL[i]!
  }
  let cross = 0
  for (let i = 0; i < n; i++) cross += rowK[i]! * rowL[i]!
  return (trace + (sumK * sumL) / ((n - 1) * (n - 2)) - (2 * cross) / (n - 2)) / (n * (n - 3))
}

export function linearCka(x: Float64Array | Float32Array, px: number, y: Float64Array | Float32Array, py: number, n: number, unbiased = false): number {
  if (x.length !== n * px || y.length !== n * py) throw new RangeError(`both feature sets must have ${n} rows`)
  const k = gram(x, n, px)
  const l = gram(y, n, py)
  const hsic = unbiased ? hsicUnbiased : hsicBiased
  return hsic(k, l, n) / Math.sqrt(hsic(k, k, n) * hsic(l, l, n))
}
