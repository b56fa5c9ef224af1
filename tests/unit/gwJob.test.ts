// Gromov-Wasserstein as a project job: a rotated copy of a point cloud is matched object for object, categories
// give category-level matching, every trial is a metric, a crash in the middle resumes to the same trials, and
// bad input is named.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { encodeNpy } from '../../src-main/core/io/npy'
import { putArray } from '../../src-main/store/artifacts'
import { insertDataset } from '../../src-main/store/datasets'
import { getRun } from '../../src-main/store/runs'
import { gwReference } from '../helpers/gwReference'
import { crashAndResume, stateOf, useJobRunner } from '../helpers/jobRunner'
import { useTmp } from '../helpers/tmp'

const setup = useJobRunner()
const tmp = useTmp()
const n = 40

function seed({ project }: ReturnType<typeof setup>) {
  const random = randomGenerator(11)
  const x = Float32Array.from({ length: n * 3 }, () => random() * 2 - 1)
  // The same cloud rotated about z: every distance is the same, so the plan should be the identity.
  const [cos, sin] = [Math.cos(0.9), Math.sin(0.9)]
  const y = Float32Array.from(x, (_, k) => {
    const [i, d] = [Math.floor(k / 3), k % 3]
    const [px, py, pz] = [x[3 * i]!, x[3 * i + 1]!, x[3 * i + 2]!]
    return d === 0 ? cos * px - sin * py : d === 1 ? sin * px + cos * py : pz
  })
  const ids = Array.from({ length: n }, (_, i) => `object${i}`)
  const put = (data: Float32Array | Uint8Array, shape: number[]) => putArray(project.db, project.dir, data instanceof Uint8Array ? { dtype: '|u1', shape, data } : { dtype: '<f4', shape, data }).sha256
  const a = insertDataset(project.db, { kind: 'features', name: 'cloud', sourcePath: 't', meta: { n, p: 3, ids } }, put(x, [n, 3]))
  const b = insertDataset(project.db, { kind: 'features', name: 'rotated', sourcePath: 't', meta: { n, p: 3, ids } }, put(y, [n, 3]))
  // Two categories by the sign of the first coordinate; the last object in none.
  const membership = Uint8Array.from({ length: n * 2 }, (_, k) => (Math.floor(k / 2) === n - 1 ? 0 : Number((x[3 * Math.floor(k / 2)]! > 0) === (k % 2 === 0))))
  const concepts = insertDataset(project.db, { kind: 'concepts', name: 'halves', sourcePath: 't', meta: { n, names: ids, categories: ['right', 'left'] } }, put(membership, [n, 2]))
  return { a, b, concepts }
}

const spec = (a: number, b: number, extra: object = {}) => ({ kind: 'gw' as const, a, b, metric: 'euclidean' as const, normalise: true, epsilonRange: [0.002, 0.02] as [number, number], trials: 4, sampler: 'grid' as const, initPlans: 2, prune: false, maxIterations: 1000, seed: 0, ...extra })

describe('GW job', () => {
  it('matches a rotated copy object for object, by category too, and lists every trial', async () => {
    const ctx = setup()
    const { project, runner, seen } = ctx
    const { a, b, concepts } = seed(ctx)
    const job = await stateOf(seen, runner.start({ ...spec(a, b), categoriesFrom: concepts }).id)
    expect(job.state, job.error ?? '').toBe('done')
    const result = job.result as { matching: { top1: number; top5: number }; categoryMatching: { rate: number; objects: number }; trials: { epsilon: number; loss: number }[]; epsilon: number; loss: number; worst: { name: string }[]; outputs: { plan: string }; run: number; factored: boolean[] }
    expect(result.matching.top1).toBe(1)
    expect((job.result as { knnMatching: { top1: number; dimensions: number } }).knnMatching).toMatchObject({ top1: 1, dimensions: 20 })
    expect(result.categoryMatching).toEqual({ rate: 1, objects: n - 1 })
    expect(result.trials.map((t) => t.epsilon)).toEqual([0.002, 0.002 * 10 ** (1 / 3), 0.002 * 10 ** (2 / 3), 0.02].map((e) => expect.closeTo(e, 12)))
    // The chosen ε is the trial of lowest loss; no labels were used.
    expect(result.loss).toBe(Math.min(...result.trials.map((t) => t.loss)))
    expect(result.worst).toHaveLength(10)
    expect(result.factored).toEqual([false, false])
    const losses = seen.filter((e) => e.type === 'job.metric' && e.jobId === job.id && e.name === 'GW loss')
    expect(losses).toHaveLength(4)
    expect(getRun(project.db, result.run)!.kind).toBe('gw')
    expect(result.outputs.plan).toMatch(/^[0-9a-f]{64}$/)
  })

  it('takes each side’s weights from a file as its marginal, to POT’s loss, and refuses a missing file', async () => {
    const ctx = setup()
    const { project, runner, seen } = ctx
    const ref = gwReference
    const matrix = (name: string, values: number[]) => insertDataset(project.db, { kind: 'similarity', name, sourcePath: 't', meta: { n: ref.n, measure: 'dissimilarity' } }, putArray(project.db, project.dir, { dtype: '<f8', shape: [ref.n, ref.n], data: Float64Array.from(values) }).sha256)
    const [a, b] = [matrix('c1', ref.c1), matrix('c2', ref.c2)]
    const dir = tmp()
    const [weightsA, weightsB] = [join(dir, 'a.npy'), join(dir, 'b.txt')]
    writeFileSync(weightsA, encodeNpy({ dtype: '<f8', shape: [ref.n], data: Float64Array.from(ref.weighted.a) }))
    writeFileSync(weightsB, ref.weighted.b.join('\n'))
    // One trial at the fixture's ε from the product plan, as POT solves it.
    const one = { epsilonRange: [ref.epsilon, ref.epsilon] as [number, number], trials: 1, initPlans: 1 }
    const job = await stateOf(seen, runner.start(spec(a, b, { ...one, weightsA, weightsB })).id)
    expect(job.state, job.error ?? '').toBe('done')
    const result = job.result as { loss: number; matching: { top1: number }; marginals: { a: string; b: string } }
    expect(Math.abs(result.loss - ref.weighted.loss) / ref.weighted.loss).toBeLessThan(1e-4)
    expect(result.matching.top1).toBeCloseTo(ref.weighted.top1, 12)
    expect(result.marginals).toEqual({ a: 'a.npy', b: 'b.txt' })
    // Without the weights: POT's uniform loss.
    const uniform = (await stateOf(seen, runner.start(spec(a, b, one)).id)).result as { loss: number; marginals: { a: string } }
    expect(Math.abs(uniform.loss - ref.loss) / ref.loss).toBeLessThan(1e-4)
    expect(uniform.marginals.a).toBe('uniform')
    const missing = join(dir, 'none.npy')
    expect(() => runner.start(spec(a, b, { ...one, weightsB: missing }))).toThrow(`${missing} does not exist; give a file of one positive weight per object (.npy, .txt, .csv, .mat, …).`)
    writeFileSync(join(dir, 'short.txt'), '1\n2\n')
    expect((await stateOf(seen, runner.start(spec(a, b, { ...one, weightsA: join(dir, 'short.txt') })).id)).error).toBe(`${join(dir, 'short.txt')}: holds 2 weights; the representations have 40 objects (one weight per object, in their order).`)
  })

  it('resumes a search after a crash with the same trials', async () => {
    const ctx = setup()
    const { runner, seen } = ctx
    const { a, b } = seed(ctx)
    const whole = await stateOf(seen, runner.start(spec(a, b, { sampler: 'tpe', trials: 7 })).id)
    seen.length = 0
    const resumed = await crashAndResume(runner, seen, spec(a, b, { sampler: 'tpe', trials: 7 }))
    expect(resumed.state, resumed.error ?? '').toBe('done')
    const trials = (job: typeof whole) => (job.result as { trials: { epsilon: number; loss: number }[] }).trials.map((t) => [t.epsilon, t.loss])
    expect((resumed.result as { resumedTrials: number }).resumedTrials).toBeGreaterThan(0)
    expect(trials(resumed)).toEqual(trials(whole))
  }, 60_000)

  it('names what is wrong with the inputs', async () => {
    const ctx = setup()
    const { project, runner, seen } = ctx
    const { a } = seed(ctx)
    const holes = Float64Array.from({ length: n * n }, (_, k) => (k === 5 ? Number.NaN : k % (n + 1) === 0 ? 0 : 1))
    const bad = insertDataset(project.db, { kind: 'similarity', name: 'holes', sourcePath: 't', meta: { n } }, putArray(project.db, project.dir, { dtype: '<f8', shape: [n, n], data: holes }).sha256)
    expect((await stateOf(seen, runner.start(spec(a, bad)).id)).error).toBe('"holes" has missing or infinite dissimilarities (NaN or ∞); GW needs every pair. Fill or drop those objects and import it again.')
    expect((await stateOf(seen, runner.start(spec(a, a, { epsilonRange: [0.1, 0.01] })).id)).error).toBe('The ε range 0.1–0.01 runs backwards; give the low end first.')
    const small = insertDataset(project.db, { kind: 'features', name: 'five', sourcePath: 't', meta: { n: 5, p: 1 } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [5, 1], data: Float32Array.of(1, 2, 3, 4, 5) }).sha256)
    expect((await stateOf(seen, runner.start(spec(a, small)).id)).error).toBe('"cloud" describes 40 objects and "five" 5; GW matching needs the same objects in the same order.')
    // Every object at the same point: nothing to match (and normalising would blow rounding up to distances).
    const same = insertDataset(project.db, { kind: 'features', name: 'same', sourcePath: 't', meta: { n, p: 2 } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [n, 2], data: new Float32Array(2 * n).fill(0.3) }).sha256)
    expect((await stateOf(seen, runner.start(spec(same, a)).id)).error).toBe('"same" cannot be aligned: all its objects have the same features (largest euclidean distance 0.0), so no object can be told from another. Choose another representation or distance.')
    expect(project.info().counts.runs).toBe(0)
  })
})
