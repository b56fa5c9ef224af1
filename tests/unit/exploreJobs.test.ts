// The exploration jobs on a project (maps, the comparison matrix, derived triplets) and the triplet browser's
// pages, against values computed here independently.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { TripletBrowser } from '../../src-main/app/tripletBrowser'
import { fitTemperature } from '../../src-main/core/metrics/temperatureFit'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { linearCka } from '../../src-main/core/metrics/cka'
import { spearman } from '../../src-main/core/metrics/correlation'
import { rdmFromFeatures, upperTriangle } from '../../src-main/core/metrics/rdm'
import { putArray, readArtifact } from '../../src-main/store/artifacts'
import { getDataset, insertDataset } from '../../src-main/store/datasets'
import { expectCancelledWithinASecond, stateOf, useJobRunner } from '../helpers/jobRunner'
import { until } from '../helpers/events'
import { WORKER_DIR } from '../helpers/seed'

const setup = useJobRunner()
beforeAll(async () => {
  await tf.setBackend('cpu')
})
const n = 30

function seed({ project }: ReturnType<typeof setup>) {
  const random = randomGenerator(5)
  const feature = (p: number) => Float32Array.from({ length: n * p }, () => random() * 2 - 1)
  const put = (data: Float32Array | Float64Array | Uint8Array | Int32Array, shape: number[]) =>
    putArray(project.db, project.dir, data instanceof Uint8Array ? { dtype: '|u1', shape, data } : data instanceof Int32Array ? { dtype: '<i4', shape, data } : data instanceof Float64Array ? { dtype: '<f8', shape, data } : { dtype: '<f4', shape, data }).sha256
  const ids = Array.from({ length: n }, (_, i) => `o${i}`)
  const [x, y] = [feature(5), feature(8)]
  const a = insertDataset(project.db, { kind: 'features', name: 'five', sourcePath: 't', meta: { n, p: 5, ids } }, put(x, [n, 5]))
  const b = insertDataset(project.db, { kind: 'features', name: 'eight', sourcePath: 't', meta: { n, p: 8, ids } }, put(y, [n, 8]))
  // Two subjects' dissimilarities: the Euclidean distances of the first set, and of the second.
  const rdms = new Float64Array(2 * n * n)
  rdms.set(rdmFromFeatures(x, n, 5, 'euclidean'))
  rdms.set(rdmFromFeatures(y, n, 8, 'euclidean'), n * n)
  const human = insertDataset(project.db, { kind: 'similarity', name: 'two subjects', sourcePath: 't', meta: { n, subjects: 2, measure: 'dissimilarity' } }, put(rdms, [2, n, n]))
  const membership = Uint8Array.from({ length: n * 2 }, (_, k) => Number((Math.floor(k / 2) < n / 2) === (k % 2 === 0)))
  const concepts = insertDataset(project.db, { kind: 'concepts', name: 'halves', sourcePath: 't', meta: { n, names: ids, categories: ['first', 'second'] } }, put(membership, [n, 2]))
  return { a, b, human, concepts, x, y }
}

describe('exploration jobs', () => {
  it('maps a feature set by PCA with its explained variance, and a dissimilarity matrix by MDS and t-SNE', async () => {
    const ctx = setup()
    const { a, human } = seed(ctx)
    const pca = await stateOf(ctx.seen, ctx.runner.start({ kind: 'map', dataset: a, method: 'pca', perplexity: 30, iterations: 1000, neighbours: 15, minDistance: 0.1, seed: 0 }).id)
    expect(pca.state, pca.error ?? '').toBe('done')
    const result = pca.result as { coordinates: number[]; explained: [number, number]; n: number; run: number }
    expect(result.n).toBe(n)
    expect(result.coordinates).toHaveLength(2 * n)
    // Five uniform features: each axis explains about a fifth, the first at least as much as the second.
    expect(result.explained[0]).toBeGreaterThanOrEqual(result.explained[1])
    expect(result.explained[0] + result.explained[1]).toBeLessThan(1)
    expect(result.explained[1]).toBeGreaterThan(0.1)
    const tsne = await stateOf(ctx.seen, ctx.runner.start({ kind: 'map', dataset: human, method: 'tsne', perplexity: 5, iterations: 300, neighbours: 15, minDistance: 0.1, seed: 0 }).id)
    expect(tsne.state, tsne.error ?? '').toBe('done')
    expect((tsne.result as { kl: number }).kl).toBeGreaterThan(0)
    expect(ctx.project.info().counts.runs).toBe(2)
  })

  it('cancels a t-SNE map within a second and records nothing', async () => {
    const { project, runner, seen } = setup()
    // 1,500 points: exact t-SNE runs for several seconds.
    const random = randomGenerator(4)
    const x = Float32Array.from({ length: 1500 * 8 }, () => random())
    const big = insertDataset(project.db, { kind: 'features', name: 'big', sourcePath: 't', meta: { n: 1500, p: 8 } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [1500, 8], data: x }).sha256)
    const job = runner.start({ kind: 'map', dataset: big, method: 'tsne', perplexity: 30, iterations: 1000, neighbours: 15, minDistance: 0.1, seed: 0 })
    await until(seen, (e) => e.type === 'job.progress' && e.jobId === job.id && e.progress.fraction > 0.06)
    await expectCancelledWithinASecond(runner, seen, project, job.id)
  }, 60_000)

  it('compares every pair: RSA of the RDMs and CKA of the feature sets, in clustering order', async () => {
    const ctx = setup()
    const { a, b, human, x, y } = seed(ctx)
    const job = await stateOf(ctx.seen, ctx.runner.start({ kind: 'compare', datasets: [a, b, human], rdm: 'euclidean', method: 'spearman' }).id)
    expect(job.state, job.error ?? '').toBe('done')
    const r = job.result as { rsa: number[]; cka: (number | null)[]; order: number[]; names: string[] }
    expect(r.names).toEqual(['five', 'eight', 'two subjects'])
    const tri = (f: Float32Array, p: number) => upperTriangle(rdmFromFeatures(f, n, p, 'euclidean'), n)
    const mean = upperTriangle(Float64Array.from(rdmFromFeatures(x, n, 5, 'euclidean'), (v, k) => (v + rdmFromFeatures(y, n, 8, 'euclidean')[k]!) / 2), n)
    expect(r.rsa[1]).toBeCloseTo(spearman(tri(x, 5), tri(y, 8)), 12)
    expect(r.rsa[2]).toBeCloseTo(spearman(tri(x, 5), mean), 12)
    expect(r.rsa[3 + 2]).toBeCloseTo(spearman(tri(y, 8), mean), 12)
    expect(r.rsa[0]).toBe(1)
    expect(r.cka[1]).toBeCloseTo(await linearCka(x, 5, y, 8, n), 6)
    expect(r.cka[2]).toBeNull()
    expect([...r.order].sort()).toEqual([0, 1, 2])
    // The most alike pair merges first, so it sits side by side.
    const pairs = [[0, 1], [0, 2], [1, 2]] as const
    const [p, q] = pairs.reduce((best, pair) => (r.rsa[pair[0] * 3 + pair[1]]! > r.rsa[best[0] * 3 + best[1]]! ? pair : best))
    expect(Math.abs(r.order.indexOf(p) - r.order.indexOf(q))).toBe(1)
    // Similarities are read as such: the negated distances of the first set correlate perfectly with it.
    const similar = insertDataset(ctx.project.db, { kind: 'similarity', name: 'similar', sourcePath: 't', meta: { n, subjects: 1, measure: 'similarity' } }, putArray(ctx.project.db, ctx.project.dir, { dtype: '<f8', shape: [n, n], data: Float64Array.from(rdmFromFeatures(x, n, 5, 'euclidean'), (v) => -v) }).sha256)
    const flipped = await stateOf(ctx.seen, ctx.runner.start({ kind: 'compare', datasets: [a, similar], rdm: 'euclidean', method: 'spearman' }).id)
    expect((flipped.result as { rsa: number[] }).rsa[1]).toBeCloseTo(1, 12)
  })

  it('refuses representations of different numbers of objects, naming both', async () => {
    const ctx = setup()
    const { a } = seed(ctx)
    const other = insertDataset(ctx.project.db, { kind: 'features', name: 'small', sourcePath: 't', meta: { n: 4, p: 2 } }, putArray(ctx.project.db, ctx.project.dir, { dtype: '<f4', shape: [4, 2], data: new Float32Array(8) }).sha256)
    const job = await stateOf(ctx.seen, ctx.runner.start({ kind: 'compare', datasets: [a, other], rdm: 'correlation', method: 'spearman' }).id)
    expect(job).toMatchObject({ state: 'failed', error: '"small" describes 4 objects but "five" describes 30; compare representations of the same objects.' })
    expect(() => ctx.runner.start({ kind: 'compare', datasets: [a, a], rdm: 'correlation', method: 'spearman' })).toThrow('A representation is listed twice')
    const tiny = insertDataset(ctx.project.db, { kind: 'features', name: 'three', sourcePath: 't', meta: { n: 3, p: 2 } }, putArray(ctx.project.db, ctx.project.dir, { dtype: '<f4', shape: [3, 2], data: Float32Array.of(0, 0, 1, 0, 0, 1) }).sha256)
    const map = await stateOf(ctx.seen, ctx.runner.start({ kind: 'map', dataset: tiny, method: 'tsne', perplexity: 30, iterations: 1000, neighbours: 15, minDistance: 0.1, seed: 0 }).id)
    expect(map).toMatchObject({ state: 'failed', error: '"three": t-SNE needs at least 4 objects.' })
    const pair = insertDataset(ctx.project.db, { kind: 'similarity', name: 'pair', sourcePath: 't', meta: { n: 2, subjects: 1, measure: 'dissimilarity' } }, putArray(ctx.project.db, ctx.project.dir, { dtype: '<f8', shape: [2, 2], data: Float64Array.of(0, 1, 1, 0) }).sha256)
    const derived = await stateOf(ctx.seen, ctx.runner.start({ kind: 'deriveTriplets', dataset: pair }).id)
    expect(derived).toMatchObject({ state: 'failed', error: '"pair" has 2 objects; a triplet needs 3.' })
  })

  it('derives every triplet from the subjects and browses them with both models, filtered and sorted', async () => {
    const ctx = setup()
    const { a, b, human, concepts } = seed(ctx)
    const job = await stateOf(ctx.seen, ctx.runner.start({ kind: 'deriveTriplets', dataset: human }).id)
    expect(job.state, job.error ?? '').toBe('done')
    const triplets = (job.result as { datasets: number[] }).datasets[0]!
    expect(getDataset(ctx.project.db, triplets)!.meta).toMatchObject({ count: 4060, objects: n, subjects: 2 })
    const browser = new TripletBrowser(WORKER_DIR, () => 'wasm')
    const base = { triplets, models: [a, b], similarity: 'euclidean' as const, agreement: 'any' as const, categoriesFrom: null, category: null, level: null, entropy: null, object: null, sort: 'index' as const, offset: 0, limit: 50 }
    const page = await browser.page(ctx.project.db, ctx.project.dir, base)
    expect(page).toMatchObject({ total: 4060, count: 4060, objects: n, hasSoftLabels: true, models: [{ id: a, name: 'five' }, { id: b, name: 'eight' }] })
    const tau = page.models[0]!.temperature!
    expect(page.rows).toHaveLength(50)
    // Each subject is one of the models' own distances, so where the two subjects agree both models agree with them.
    const unanimous = page.rows.filter((row) => row.soft![0] === 1)
    for (const row of unanimous) for (const probabilities of row.models) expect(probabilities[0]).toBe(Math.max(...probabilities))
    // −Euclidean similarities: the first pair's probability is softmax of −d01 against −d02 and −d12 over τ, the τ
    // under which the derived choices are most likely (fitted here to distances computed apart from the browser's).
    const [i, j, k] = page.rows[0]!.objects
    const x = readArtifact(ctx.project.db, ctx.project.dir, getDataset(ctx.project.db, a)!.artifact!).data as Float32Array
    const d = (p: number, q: number) => Math.hypot(...Array.from({ length: 5 }, (_, c) => x[p * 5 + c]! - x[q * 5 + c]!))
    const stored = readArtifact(ctx.project.db, ctx.project.dir, getDataset(ctx.project.db, triplets)!.artifact!).data as Int32Array
    const pairs = Float64Array.from({ length: stored.length }, (_, q) => {
      const at = q - (q % 3)
      const [u, v] = [[0, 1], [0, 2], [1, 2]][q % 3]!
      return -d(stored[at + u!]!, stored[at + v!]!)
    })
    expect(tau / fitTemperature(pairs).temperature! - 1).toBeCloseTo(0, 5)
    const e = [Math.exp(-d(i, j) / tau), Math.exp(-d(i, k) / tau), Math.exp(-d(j, k) / tau)]
    expect(page.rows[0]!.models[0]![0]).toBeCloseTo(e[0]! / (e[0]! + e[1]! + e[2]!), 5)
    // The models disagree somewhere; every object is in C(29, 2) = 406 triplets; a category keeps triplets touching it.
    const disagree = await browser.page(ctx.project.db, ctx.project.dir, { ...base, agreement: 'modelsDisagree' })
    expect(disagree.total).toBeGreaterThan(0)
    expect(disagree.total).toBeLessThan(4060)
    expect((await browser.page(ctx.project.db, ctx.project.dir, { ...base, object: 7 })).total).toBe(406)
    // Triplets touching the first half: all but those inside the second half (C(15, 3) = 455).
    expect((await browser.page(ctx.project.db, ctx.project.dir, { ...base, categoriesFrom: concepts, category: 0 })).total).toBe(4060 - 455)
    const sorted = await browser.page(ctx.project.db, ctx.project.dir, { ...base, sort: 'confidence', limit: 500 })
    const confidence = sorted.rows.map((row) => Math.max(...row.models[0]!))
    expect(confidence).toEqual([...confidence].sort((p, q) => q - p))
    await expect(browser.page(ctx.project.db, ctx.project.dir, { ...base, object: 99 })).rejects.toThrow('There is no object 99; the triplets refer to objects 0…29.')
    await expect(browser.page(ctx.project.db, ctx.project.dir, { ...base, triplets: a })).rejects.toThrow('is features, not triplets')
  })
})
