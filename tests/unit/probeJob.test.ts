// The probe as a job: cross-validation results, streamed curves, the stored transform and applying it, resume
// after a crash, cancel, and clear errors.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ProbeSpec } from '../../src-main/api/contract'
import { randomGenerator, simulateTriplets } from '../../src-main/core/data/simulate'
import { decodeNpy, encodeNpy } from '../../src-main/core/io/npy'
import { getArtifact, putArray } from '../../src-main/store/artifacts'
import { insertDataset } from '../../src-main/store/datasets'
import { exportPlan } from '../../src-main/store/gwPlan'
import { insertRun } from '../../src-main/store/runs'
import { exportTransform } from '../../src-main/store/runTransform'
import { until } from '../helpers/events'
import { crashAndResume, stateOf, useJobRunner, expectCancelledWithinASecond } from '../helpers/jobRunner'

const setup = useJobRunner()

/** 150 objects with a 6-d embedding; triplets simulated from it (with soft labels); the features stretched. */
function seedData(project: ReturnType<typeof setup>['project'], withSoft = true) {
  const n = 150
  const p = 6
  const random = randomGenerator(3)
  const embedding = Float32Array.from({ length: n * p }, () => random() * 2 - 1)
  const simulated = simulateTriplets(embedding, n, p, 8000, 5, 0.3)
  const features = Float32Array.from(embedding, (v, k) => v * [4, 0.3, 2, 0.2, 1, 3][k % p]! + 0.05 * (random() - 0.5))
  const featuresId = insertDataset(project.db, { kind: 'features', name: 'stretched', sourcePath: 't', meta: { n, p, ids: null } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [n, p], data: features }).sha256)
  const soft = putArray(project.db, project.dir, { dtype: '<f4', shape: [8000, 3], data: simulated.soft }).sha256
  const tripletsId = insertDataset(
    project.db,
    { kind: 'triplets', name: 'simulated', sourcePath: 't', meta: { objects: n, count: 8000, meanMaxProbability: simulated.meanMaxProbability, ...(withSoft ? { softLabels: soft } : {}) } },
    putArray(project.db, project.dir, { dtype: '<i4', shape: [8000, 3], data: simulated.indices }).sha256,
  )
  return { featuresId, tripletsId, n, p, features }
}

const spec = (features: number, triplets: number, overrides: Partial<ProbeSpec> = {}): ProbeSpec => ({
  kind: 'probe',
  features,
  triplets,
  objective: 'soft',
  lambdas: [0.001, 1],
  alphas: [0.1],
  folds: 3,
  regularizer: 'identity',
  temperature: 1,
  learningRate: 0.01,
  maxEpochs: 15,
  patience: 15,
  batchSize: 256,
  validationFraction: 0.1,
  seed: 42,
  ...overrides,
})

describe('probe job', () => {
  it('cross-validates over λ, streams curves, stores the transform, and applies it as a new feature set', async () => {
    const { project, runner, seen } = setup()
    const { featuresId, tripletsId, n, p, features } = seedData(project)
    const done = await stateOf(seen, runner.start(spec(featuresId, tripletsId)).id)
    expect(done.state).toBe('done')
    const result = done.result as {
      folds: { lambda: number; fold: number; heldOutAccuracy: number; zeroShotAccuracy: number }[]
      chosen: { lambda: number }
      heldOut: number[]
      meanHeldOut: number
      meanZeroShot: number
      outputs: { weights: string; bias: string }
      run: number
      ceiling: number
      ceilingKind: string
    }
    expect(result.folds).toHaveLength(6)
    expect(result.heldOut).toHaveLength(3)
    // The probe undoes the stretch: well above the stretched features' zero-shot accuracy on the same triplets.
    expect(result.meanHeldOut).toBeGreaterThan(result.meanZeroShot + 0.03)
    expect(result.meanHeldOut).toBeLessThanOrEqual(result.ceiling + 0.05)
    expect(result.ceilingKind).toBe('simulated')
    // The chosen λ is the one with the best mean held-out accuracy.
    const meanOf = (lambda: number) => result.folds.filter((f) => f.lambda === lambda).reduce((s, f) => s + f.heldOutAccuracy, 0) / 3
    expect(meanOf(result.chosen.lambda)).toBe(Math.max(meanOf(0.001), meanOf(1)))
    // Loss and validation accuracy per epoch, per fold and for the final fit.
    const names = new Set(seen.filter((e) => e.type === 'job.metric').map((e) => (e as { name: string }).name))
    expect(names).toContain('λ=0.001 fold 1 · loss')
    expect(names).toContain('λ=1 fold 3 · validation accuracy')
    expect(names).toContain('final · loss')
    expect(getArtifact(project.db, result.outputs.weights)!.shape).toEqual([p, p])

    const applied = await stateOf(seen, runner.start({ kind: 'applyTransform', run: result.run, features: featuresId }).id)
    expect(applied).toMatchObject({ state: 'done', result: { dataset: 'features', n, p, run: result.run } })
    expect(project.info().counts.featureSets).toBe(2)
    const datasetId = (applied.result as { datasets: number[] }).datasets[0]!
    const stored = project.db.prepare('SELECT artifact FROM datasets WHERE id = ?').get(datasetId) as { artifact: string }
    const z = decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', `${stored.artifact}.npy`))))
    expect(z.shape).toEqual([n, p])

    // Saved as gLocal's transform.npz, NumPy applies it as gLocal does, ((X − mean) / std) W + b: the feature set above.
    const file = join(project.dir, 'transform.npz')
    expect(exportTransform(project.db, project.dir, result.run, file)).toEqual({ path: file, p, q: p })
    const x = join(project.dir, 'x.npy')
    writeFileSync(x, encodeNpy({ dtype: '<f4', shape: [n, p], data: features }))
    const numpy = spawnSync('python3', ['-c', `import numpy as np; t = np.load('${file}'); x = np.load('${x}').astype(np.float64); z = np.load('${join(project.dir, 'artifacts', `${stored.artifact}.npy`)}'); print(sorted(t.files), t['weights'].shape, t['bias'].shape, t['mean'].shape, t['std'].shape, np.abs((x - t['mean']) / t['std'] @ t['weights'] + t['bias'] - z).max() < 1e-5)`], { encoding: 'utf8' })
    expect(numpy.stdout.trim()).toBe(`['bias', 'mean', 'std', 'weights'] (${p}, ${p}) (${p},) () () True`)
    expect(() => exportTransform(project.db, project.dir, result.run, join(project.dir, 'transform.npy'))).toThrow('a transform is written as an .npz file')
    expect(() => exportTransform(project.db, project.dir, 999, file)).toThrow('There is no run 999 in this project.')
    // An RSA run has no transform; a probe run has no transport plan.
    const rsa = insertRun(project.db, { kind: 'rsa', name: 'rsa', params: {}, result: { r: 0.5 } })
    expect(() => exportTransform(project.db, project.dir, rsa, file)).toThrow(`Run ${rsa} is rsa, not a probe with a transform.`)
    expect(() => exportPlan(project.db, project.dir, result.run, join(project.dir, 'plan.npy'))).toThrow(`Run ${result.run} is probe, not a GW alignment with a plan.`)
  }, 120_000)

  it('resumes after a crash from the last finished fold, with the same results as an uninterrupted run', async () => {
    const { project, runner, seen } = setup()
    const { featuresId, tripletsId } = seedData(project)
    const one = spec(featuresId, tripletsId, { lambdas: [0.01] })
    const whole = await stateOf(seen, runner.start(one).id)
    const resumed = await crashAndResume(runner, seen, one)
    expect(resumed.state).toBe('done')
    const r = resumed.result as { resumedFolds: number; heldOut: number[] }
    expect(r.resumedFolds).toBeGreaterThanOrEqual(1)
    expect(r.heldOut).toEqual((whole.result as { heldOut: number[] }).heldOut)
  }, 120_000)

  it('cancels within a second and records nothing', async () => {
    const { project, runner, seen } = setup()
    const { featuresId, tripletsId } = seedData(project)
    const job = runner.start(spec(featuresId, tripletsId, { maxEpochs: 500, patience: 500 }))
    await until(seen, (e) => e.type === 'job.metric' && e.jobId === job.id)
    await expectCancelledWithinASecond(runner, seen, project, job.id)
  }, 60_000)

  it('trains the soft objective on response frequencies when triplets were answered several times', async () => {
    const { project, runner, seen } = setup()
    const { featuresId, n } = seedData(project, false)
    // Each of 600 sets of objects answered five times, by people agreeing 3 times in 5 on average.
    const random = randomGenerator(8)
    const responses = new Int32Array(3000 * 3)
    for (let s = 0; s < 600; s++) {
      const set = [Math.floor(random() * n), 0, 0]
      set[1] = (set[0]! + 1 + Math.floor(random() * (n - 1))) % n
      do set[2] = Math.floor(random() * n)
      while (set[2] === set[0] || set[2] === set[1])
      for (let r = 0; r < 5; r++) {
        const odd = random() < 0.6 ? 2 : Math.floor(random() * 3)
        const others = [0, 1, 2].filter((c) => c !== odd)
        responses.set([set[others[0]!]!, set[others[1]!]!, set[odd]!], 3 * (5 * s + r))
      }
    }
    const repeated = insertDataset(project.db, { kind: 'triplets', name: 'repeated', sourcePath: 't', meta: { objects: n, count: 3000 } }, putArray(project.db, project.dir, { dtype: '<i4', shape: [3000, 3], data: responses }).sha256)
    const done = await stateOf(seen, runner.start(spec(featuresId, repeated, { lambdas: [0.1], maxEpochs: 3, folds: 2 })).id)
    expect(done.state).toBe('done')
    expect(done.result).toMatchObject({ softLabelsFrom: 'response frequencies of 600 sets of objects (600 answered more than once)', ceilingKind: 'leave-one-out' })
  }, 60_000)

  it('says what is wrong with its inputs', async () => {
    const { project, runner, seen } = setup()
    const { featuresId, tripletsId, n } = seedData(project, false)
    const unique = Int32Array.from({ length: n * 3 }, (_, k) => (Math.floor(k / 3) + (k % 3)) % n)
    const once = insertDataset(project.db, { kind: 'triplets', name: 'once each', sourcePath: 't', meta: { objects: n, count: n } }, putArray(project.db, project.dir, { dtype: '<i4', shape: [n, 3], data: unique }).sha256)
    const noSoft = await stateOf(seen, runner.start(spec(featuresId, once)).id)
    expect(noSoft.error).toBe('"once each" has no soft labels and no triplet answered more than once; the soft objective needs one or the other (simulate triplets, or import with soft labels), or choose the hard objective.')
    expect(() => runner.start(spec(tripletsId, featuresId))).toThrow(`Dataset ${tripletsId} ("simulated") is triplets, not features.`)
    const rank = await stateOf(seen, runner.start(spec(featuresId, tripletsId, { objective: 'hard', rank: 9 })).id)
    expect(rank.error).toBe('The rank 9 is more than the 6 features; a probe maps p features to at most p.')
  }, 120_000)
})
