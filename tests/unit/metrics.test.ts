import { createReadStream, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { decodeMat5, type MatValue } from '../../src-main/core/io/mat5'
import { parseDelimited } from '../../src-main/core/io/delimited'
import { toCOrder } from '../../src-main/core/io/npy'
import { rdmNoiseCeiling, tripletNoiseCeiling } from '../../src-main/core/metrics/ceiling'
import { linearCka } from '../../src-main/core/metrics/cka'
import { oddOneOutAccuracy, wilsonInterval } from '../../src-main/core/metrics/oddOneOut'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'
import { CORRELATIONS } from '../../src-main/core/metrics/correlation'
import { compareRdms, mulberry32 } from '../../src-main/core/metrics/rsa'
import { perMatrixRsa } from '../../src-main/core/metrics/perMatrixRsa'
import { signedRankGreater, signedRankTwoSided } from '../../src-main/core/metrics/signedRank'
import { mcnemarExact } from '../../src-main/core/metrics/mcnemar'
import { benjaminiHochberg } from '../../src-main/core/metrics/fdr'

// Reference values: tests/fixtures/metrics/make_fixtures.py (scipy pdist/spearmanr, numpy CKA)
const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/metrics/rdm_cka.json'), 'utf8')) as {
  x: number[]; y: number[]; n: number; px: number; py: number
  correlation: number[]; cosine: number[]; euclidean: number[]
  cka_biased: number; cka_unbiased: number
  ceiling92_spearman: { lower: number; upper: number }; ceiling92_pearson: { lower: number; upper: number }; ceiling92_kendall: { lower: number; upper: number }
}
const examples = join(__dirname, '../../resources/examples')
const close = (a: ArrayLike<number>, b: ArrayLike<number>, digits: number) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i]!, digits))

describe('RDMs from features', () => {
  it.each(['correlation', 'cosine', 'euclidean'] as const)('%s distance equals scipy pdist', (measure) => {
    close(rdmFromFeatures(Float64Array.from(ref.x), ref.n, ref.px, measure), ref[measure], 12)
  })
})

describe('RSA', () => {
  it('RDM48 against the 48-object SPoSE dot-product similarities gives Spearman ≈ −0.878', async () => {
    const rdm = toCOrder((decodeMat5(new Uint8Array(readFileSync(join(examples, 'things/RDM48_triplet.mat')))).RDM48_triplet as Extract<MatValue, { kind: 'numeric' }>).array)
    const table = await parseDelimited(createReadStream(join(examples, 'things/spose_embedding66d_rescaled_48val_reordered.csv')))
    const dims = table.columns.filter((c) => /^\d+$/.test(c.name))
    const x = new Float64Array(48 * dims.length)
    dims.forEach((c, d) => c.numbers!.forEach((v, i) => (x[i * dims.length + d] = v)))
    const similarity = new Float64Array(48 * 48)
    for (let i = 0; i < 48; i++) for (let j = 0; j < 48; j++) for (let d = 0; d < dims.length; d++) similarity[i * 48 + j]! += x[i * dims.length + d]! * x[j * dims.length + d]!
    const result = compareRdms(rdm.data as Float64Array, similarity, 48, { method: 'spearman', bootstrap: 200, permutations: 200, seed: 1 })
    expect(result.r).toBeCloseTo(-0.878, 3)
    expect(result.pairs).toBe(1128)
    expect(result.ci95![0]).toBeLessThan(result.r)
    expect(result.ci95![1]).toBeGreaterThan(result.r)
    expect(result.ci95![1]).toBeLessThan(-0.8)
    // A similarity matrix against an RDM: the strong negative correlation is never beaten by a permutation.
    expect(result.p).toBeGreaterThan(0.9)
    expect(compareRdms(rdm.data as Float64Array, rdm.data as Float64Array, 48, { method: 'spearman', permutations: 99, seed: 2 }).p).toBeCloseTo(0.01, 10)
  })

  it.each(['spearman', 'pearson'] as const)('%s bootstrap by pair weights equals building the resampled vectors', (method) => {
    const n = 15
    const a = rdmFromFeatures(Float64Array.from({ length: n * 3 }, (_, i) => Math.round(Math.sin(i) * 4)), n, 3, 'euclidean')
    const b = rdmFromFeatures(Float64Array.from({ length: n * 4 }, (_, i) => Math.cos(i * 1.3)), n, 4, 'cosine')
    const fast = compareRdms(a, b, n, { method, bootstrap: 50, random: mulberry32(9) })
    // The obvious way, with the same draws.
    const random = mulberry32(9)
    const values: number[] = []
    for (let s = 0; s < 50; s++) {
      const drawn = Array.from({ length: n }, () => Math.floor(random() * n))
      const x: number[] = []
      const y: number[] = []
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (drawn[i] === drawn[j]) continue
          x.push(a[drawn[i]! * n + drawn[j]!]!)
          y.push(b[drawn[i]! * n + drawn[j]!]!)
        }
      }
      values.push(CORRELATIONS[method](x, y))
    }
    values.sort((p, q) => p - q)
    const q = (f: number) => { const at = (values.length - 1) * f; const lo = Math.floor(at); return values[lo]! + (values[Math.ceil(at)]! - values[lo]!) * (at - lo) }
    expect(fast.ci95![0]).toBeCloseTo(q(0.025), 12)
    expect(fast.ci95![1]).toBeCloseTo(q(0.975), 12)
  })

  it('repeats its bootstrap interval for a seed', () => {
    const a = rdmFromFeatures(Float64Array.from(ref.x), 12, 5, 'euclidean')
    const b = rdmFromFeatures(Float64Array.from(ref.y), 12, 7, 'euclidean')
    const one = compareRdms(a, b, 12, { method: 'kendall', bootstrap: 100, seed: 5 })
    expect(compareRdms(a, b, 12, { method: 'kendall', bootstrap: 100, seed: 5 }).ci95).toEqual(one.ci95)
  })
})

describe('noise ceiling', () => {
  const rdms = (decodeMat5(new Uint8Array(readFileSync(join(examples, 'rsa92/92_behavRDMs.mat')))).rdms_behav_92 as Extract<MatValue, { kind: 'struct' }>).elements
  const stacked = new Float64Array(16 * 92 * 92)
  rdms.forEach((e, s) => stacked.set(toCOrder((e.RDM as Extract<MatValue, { kind: 'numeric' }>).array).data as Float64Array, s * 92 * 92))

  // The means are of ranked (Spearman, Kendall) and z-scored (Pearson) dissimilarities, as the RSA toolbox takes
  // them: with the raw means the Spearman bounds would be 0.4776 and 0.5751.
  it.each(['spearman', 'pearson', 'kendall'] as const)('of the 92-image RDMs (%s) equals the one computed independently with scipy', (method) => {
    const ceiling = rdmNoiseCeiling(stacked, 16, 92, method)
    const want = ref[`ceiling92_${method}`]
    expect(ceiling.lower).toBeCloseTo(want.lower, 10)
    expect(ceiling.upper).toBeCloseTo(want.upper, 10)
  })

  it('needs two subjects', () => {
    expect(() => rdmNoiseCeiling(stacked.subarray(0, 92 * 92), 1, 92, 'spearman')).toThrow('at least two subjects')
  })

  it("'s upper bound is the mean r with the RDM that fits the subjects best: no other mean does better", () => {
    // Two subjects whose dissimilarities differ in scale: the raw mean follows the larger, the ranked mean both.
    const subject = (values: number[]) => {
      const m = new Float64Array(16)
      ;[[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]].forEach(([i, j], k) => (m[i! * 4 + j!] = m[j! * 4 + i!] = values[k]!))
      return m
    }
    const two = new Float64Array(32)
    two.set(subject([1, 2, 3, 4, 5, 6]))
    two.set(subject([600, 500, 100, 200, 300, 400]), 16)
    const { upper } = rdmNoiseCeiling(two, 2, 4, 'spearman')
    const rawMean = [300.5, 251, 51.5, 102, 152.5, 203]
    const one = [1, 2, 3, 4, 5, 6]
    const other = [6, 5, 1, 2, 3, 4]
    expect(upper).toBeCloseTo((CORRELATIONS.spearman(one, [3.5, 3.5, 2, 3, 4, 5]) + CORRELATIONS.spearman(other, [3.5, 3.5, 2, 3, 4, 5])) / 2, 12)
    expect(upper).toBeGreaterThan((CORRELATIONS.spearman(one, rawMean) + CORRELATIONS.spearman(other, rawMean)) / 2)
  })
})

describe('RSA against each of several matrices', () => {
  it('gives r with each, and their mean with its standard error over the defined ones', () => {
    // 3 objects: pairs (0,1), (0,2), (1,2) with dissimilarities 1, 2, 3.
    const m = Float64Array.of(0, 1, 2, 1, 0, 3, 2, 3, 0)
    const reversed = Float64Array.of(0, 3, 2, 3, 0, 1, 2, 1, 0)
    const constant = Float64Array.of(0, 5, 5, 5, 0, 5, 5, 5, 0)
    const stacked = new Float64Array(27)
    ;[m, reversed, constant].forEach((x, s) => stacked.set(x, 9 * s))
    // r = 1 and −1: mean 0, SD √2, SEM √2 / √2 = 1; the constant matrix has no r.
    expect(perMatrixRsa(m, stacked, 3, 3, 'spearman')).toEqual({ r: [1, -1, null], mean: 0, sem: 1, signedRank: { statistic: 1.5, p: 0.75, n: 2 } })
    expect(perMatrixRsa(m, stacked.subarray(0, 9), 1, 3, 'pearson')).toEqual({ r: [1], mean: 1, sem: null, signedRank: { statistic: 1, p: 0.5, n: 1 } })
    expect(perMatrixRsa(m, stacked.subarray(18), 1, 3, 'pearson')).toEqual({ r: [null], mean: null, sem: null, signedRank: null })
  })
})

describe('Wilcoxon signed-rank test, one-sided', () => {
  it('equals scipy.stats.wilcoxon(x, alternative="greater"): exact, over average ranks where |x| ties, zeros dropped', () => {
    // SciPy 1.17.1: python3 -c "from scipy.stats import wilcoxon; print(wilcoxon(X, alternative='greater'))" for each X.
    // Without ties SciPy 1.10.1 (Debian's) gives the same; with ties it used the untied distribution (0.0801 for the first).
    expect(signedRankGreater([0.3, -0.1, 0.25, 0.05, -0.02, 0.4, 0.12, -0.3, 0.2, 0.15])).toEqual({ statistic: 42.5, p: 0.0673828125, n: 10 })
    expect(signedRankGreater([0.3, -0.1, 0.3, 0.05, -0.05, 0.4, 0.12, -0.3, 0.2, 0.15, 0])).toEqual({ statistic: 42.5, p: 0.068359375, n: 10 })
    expect(signedRankGreater([0.31, -0.1, 0.25, 0.05, -0.02, 0.4, 0.12, -0.3, 0.2, 0.15])).toEqual({ statistic: 43, p: 0.0654296875, n: 10 })
    // All 16 above zero: only one of the 2^16 sign patterns reaches the statistic.
    expect(signedRankGreater(Array.from({ length: 16 }, (_, i) => 0.1 + i / 100))).toEqual({ statistic: 136, p: 2 ** -16, n: 16 })
    expect(signedRankGreater([-0.2, -0.1])).toEqual({ statistic: 0, p: 1, n: 2 })
    expect(signedRankGreater([0, 0])).toBeNull()
  })

  it('two-sided, as scipy.stats.wilcoxon(x) and wilcoxon(a, b) on paired values', () => {
    // SciPy 1.17.1: wilcoxon(X) → (12.5, 0.134765625); wilcoxon(A, B) → (5.0, 0.078125).
    expect(signedRankTwoSided([0.3, -0.1, 0.25, 0.05, -0.02, 0.4, 0.12, -0.3, 0.2, 0.15])).toEqual({ statistic: 12.5, p: 0.134765625, n: 10 })
    const a = [0.12, 0.3, 0.25, 0.05, 0.2, 0.4, 0.18, 0.1]
    const b = [0.1, 0.2, 0.3, 0.0, 0.1, 0.35, 0.2, 0.02]
    expect(signedRankTwoSided(a.map((v, i) => v - b[i]!))).toEqual({ statistic: 5, p: 0.078125, n: 8 })
    expect(signedRankTwoSided([0.1])).toEqual({ statistic: 0, p: 1, n: 1 })
  })
})

describe('Benjamini-Hochberg', () => {
  it('adjusts p-values as scipy.stats.false_discovery_control does', () => {
    // SciPy 1.17.1: false_discovery_control([0.01, 0.04, 0.03, 0.2, 0.5]) → [0.05, 0.0667, 0.0667, 0.25, 0.5].
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2, 0.5])
    ;[0.05, 0.2 / 3, 0.2 / 3, 0.25, 0.5].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 15))
    expect(benjaminiHochberg([])).toEqual([])
  })
})

describe("McNemar's exact test", () => {
  // scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue, SciPy 1.17.1, for b items only the first got right and c
  // only the second: (3, 0) 0.25, (5, 2) 0.453125, (7, 7) 1, (40, 25) 0.08168153394154003, (1200, 1100)
  // 0.03896685268382023, (30000, 29000) 3.907020967830222e-05, (0, 50) 1.7763568394002505e-15.
  /** b items only the first got right, c only the second, 4 both, 3 neither. */
  const items = (b: number, c: number) => {
    const pairs = [...Array<number[]>(b).fill([1, 0]), ...Array<number[]>(c).fill([0, 1]), ...Array<number[]>(4).fill([1, 1]), ...Array<number[]>(3).fill([0, 0])]
    return [Uint8Array.from(pairs, (x) => x[0]!), Uint8Array.from(pairs, (x) => x[1]!)] as const
  }
  it('is the binomial test of the discordant items, two-sided', () => {
    const cases: [number, number, number][] = [[3, 0, 0.25], [5, 2, 0.453125], [7, 7, 1], [40, 25, 0.08168153394154003], [1200, 1100, 0.03896685268382023], [30000, 29000, 3.907020967830222e-5], [0, 50, 1.7763568394002505e-15]]
    for (const [b, c, p] of cases) {
      const result = mcnemarExact(...items(b, c))
      expect([result.onlyFirst, result.onlySecond]).toEqual([b, c])
      expect(result.p / p).toBeCloseTo(1, 10)
    }
    expect(mcnemarExact(...items(0, 0)).p).toBe(1)
    expect(() => mcnemarExact(new Uint8Array(3), new Uint8Array(4))).toThrow('3 and 4 items')
  })
})

describe('triplet noise ceiling', () => {
  it('scores each response against the majority of the others, ties as a random pick', () => {
    // {0,1,2} three times (odd ones 2, 2, 1, in different orders), {3,4,5} twice (5, 5), {6,7,8} once.
    const t = Int32Array.of(0, 1, 2, 1, 0, 2, 0, 2, 1, 3, 4, 5, 4, 3, 5, 6, 7, 8)
    // Responses 2 and 2 each see others {2, 1}: a tie, 1/2. Response 1 sees {2, 2}: 0. Set two: 1 and 1.
    expect(tripletNoiseCeiling(t, 6, 9)).toEqual({ ceiling: (0.5 + 0.5 + 0 + 1 + 1) / 5, repeatedTriplets: 2, responses: 5 })
    expect(tripletNoiseCeiling(Int32Array.of(0, 1, 2), 1, 3)).toEqual({ ceiling: null, repeatedTriplets: 0, responses: 0 })
  })

  it('equals an independent Python computation on 400 shuffled responses', () => {
    const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/metrics/triplet_ceiling.json'), 'utf8'))
    const result = tripletNoiseCeiling(Int32Array.from((fixture.triplets as number[][]).flat()), fixture.triplets.length, fixture.n)
    expect(result.ceiling).toBeCloseTo(fixture.ceiling, 12)
    expect(result).toMatchObject({ responses: fixture.responses, repeatedTriplets: fixture.repeated })
  })
})

describe('linear CKA', () => {
  beforeAll(async () => {
    await chooseBackend({ force: 'wasm' })
  })

  // Products in float32 on the compute backend, sums in float64: numpy's float64 values to 6 digits.
  it('matches numpy, biased and unbiased, and is 1 for a rotated copy', async () => {
    expect(await linearCka(Float64Array.from(ref.x), 5, Float64Array.from(ref.y), 7, 12)).toBeCloseTo(ref.cka_biased, 6)
    expect(await linearCka(Float64Array.from(ref.x), 5, Float64Array.from(ref.y), 7, 12, true)).toBeCloseTo(ref.cka_unbiased, 6)
    const x = Float64Array.from(ref.x)
    const swapped = Float64Array.from({ length: x.length }, (_, i) => x[i - (i % 5) + (4 - (i % 5))]! * -2)
    expect(await linearCka(x, 5, swapped, 5, 12)).toBeCloseTo(1, 6)
    // Shifting every feature by a constant changes neither estimator.
    const shifted = Float64Array.from(ref.y as number[], (v) => v + 100)
    expect(await linearCka(x, 5, shifted, 7, 12, true)).toBeCloseTo(ref.cka_unbiased, 5)
  })

  it('gives the same biased value from feature-space products (many objects, few features) as from Grams', async () => {
    // 40 objects × 3 and 2 features: feature space; the same data padded to 30 features goes through Grams.
    const n = 40
    const x = Float64Array.from({ length: n * 3 }, (_, k) => Math.sin(k * 1.3) + (k % 3))
    const y = Float64Array.from({ length: n * 2 }, (_, k) => Math.cos(k * 0.7) * x[Math.floor(k / 2) * 3]!)
    const padded = (a: Float64Array, p: number) => Float64Array.from({ length: n * 30 }, (_, k) => (k % 30 < p ? a[Math.floor(k / 30) * p + (k % 30)]! : 0))
    const small = await linearCka(x, 3, y, 2, n)
    expect(small).toBeCloseTo(await linearCka(padded(x, 3), 30, padded(y, 2), 30, n), 6)
    expect(small).toBeGreaterThan(0)
    expect(small).toBeLessThan(1)
  })
})

describe('Wilson interval', () => {
  it('matches the closed form (values from the formula evaluated in Python)', () => {
    close(wilsonInterval(50, 100)!, [0.4038315303659956, 0.5961684696340044], 12)
    close(wilsonInterval(3, 5)!, [0.2307242812760128, 0.882379225767352], 12)
    close(wilsonInterval(0, 10)!, [0, 0.2775327998628892], 12)
    expect(wilsonInterval(0, 0)).toBeNull()
  })
})

describe('odd-one-out accuracy', () => {
  it('counts agreements, ties as wrong, and splits by level and category', () => {
    // Four triplets; column 2 is the human's odd-one-out. Similarities [s01, s02, s12].
    const triplets = Int32Array.of(0, 1, 2, 0, 2, 3, 1, 3, 0, 2, 3, 1)
    const pairs = Float64Array.of(5, 1, 0, 1, 4, 0, 2, 2, 1, 3, 1, 1)
    const result = oddOneOutAccuracy(pairs, triplets, 4, {
      levels: { codes: Int32Array.of(0, 1, 0, 1), names: ['coarse', 'fine'] },
      categories: { membership: Uint8Array.of(1, 1, 1, 0), names: ['animal'] },
      rt: Float32Array.of(500, 900, 1200, 400),
      scatterPoints: 2,
    })
    // Triplet 0 right (5 is the largest), 1 wrong, 2 a tie (wrong), 3 right.
    expect(result).toMatchObject({ accuracy: 0.5, correct: 2, total: 4 })
    expect(result.perLevel).toMatchObject({ coarse: { correct: 1, total: 2, accuracy: 0.5 }, fine: { correct: 1, total: 2, accuracy: 0.5 } })
    // Only triplet 0 has all three objects in 'animal' (object 3 is not one).
    expect(result.perCategory).toMatchObject({ animal: { correct: 1, total: 1, accuracy: 1 } })
    const h = (v: number[]) => { const e = v.map(Math.exp); const z = e.reduce((a, b) => a + b); return -e.reduce((s, x) => s + (x / z) * Math.log(x / z), 0) }
    expect(result.meanEntropy).toBeCloseTo((h([5, 1, 0]) + h([1, 4, 0]) + h([2, 2, 1]) + h([3, 1, 1])) / 4, 12)
    // Entropies ≈ [0.13, 0.27, 1.02, 0.67] rank [1, 2, 4, 3]; RTs rank [2, 3, 4, 1]: Σd² = 6, ρ = 1 − 36/60.
    expect(result.entropyRtSpearman).toBeCloseTo(0.4, 12)
    // Two evenly spaced points: triplets 0 and 2.
    expect(result.entropyRtPoints!.map(([, rt]) => rt)).toEqual([500, 1200])
    expect(result.entropyRtPoints![1]![0]).toBeCloseTo(h([2, 2, 1]), 12)
  })

  it('gives entropies where probabilities underflow: 0 for a certain choice, ln 2 for two tied far above the third, ln 3 at an infinite τ', () => {
    const triplets = Int32Array.of(0, 1, 2, 0, 1, 2)
    const entropies = (pairs: number[], temperature: number) => oddOneOutAccuracy(Float64Array.from(pairs), triplets, 3, { temperature, rt: Float32Array.of(1, 2), scatterPoints: 2 }).entropyRtPoints!.map(([e]) => e)
    // exp(−800) is 0 in float64: those choices add nothing (0 · log 0 taken as 0, not NaN).
    expect(entropies([800, 0, 0, 900, 900, 0], 1)).toEqual([0, Math.log(2)])
    expect(entropies([5, 1, 0, 3, 1, 1], Infinity)).toEqual([Math.log(3), Math.log(3)])
  })
})
