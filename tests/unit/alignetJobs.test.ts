// AligNet's clustering and triplet sampling as project jobs: the elbow sweep on the four-blob fixture, the kept
// clustering, resume after a crash, the synthetic triplets dataset with the teacher's soft labels, and errors.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeNpy } from '../../src-main/core/io/npy'
import { getArtifact, putArray } from '../../src-main/store/artifacts'
import { getDataset, insertDataset, listDatasets } from '../../src-main/store/datasets'
import { getRun } from '../../src-main/store/runs'
import { exportAlignet } from '../../src-main/store/exportAlignet'
import { decodeAlignet } from '../../src-main/core/alignet/alignetFile'
import { oddOneOutAccuracy } from '../../src-main/core/metrics/oddOneOut'
import { tripletSimilarities } from '../../src-main/core/metrics/tripletSimilarities'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { randomGenerator } from '../../src-main/core/data/simulate'
import type { BeforeAfterRow } from '../../src-main/api/beforeAfterTable'
import { beforeAfterReference } from '../helpers/beforeAfterReference'
import { until } from '../helpers/events'
import { crashAndResume, stateOf, useJobRunner, expectCancelledWithinASecond } from '../helpers/jobRunner'
import { useSwiftShader } from '../helpers/swiftshader'

const setup = useJobRunner()
const onWebGpu = useJobRunner('webgpu')
const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/alignet/kmeans.json'), 'utf8')) as { x: number[]; n: number; p: number; blob: number[] }

function seed(project: ReturnType<typeof setup>['project']) {
  const ids = Array.from({ length: ref.n }, (_, i) => `blob${ref.blob[i]}_${i}`)
  return insertDataset(project.db, { kind: 'features', name: 'teacher', sourcePath: 't', meta: { n: ref.n, p: ref.p, ids } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [ref.n, ref.p], data: Float32Array.from(ref.x) }).sha256)
}

const read = (project: ReturnType<typeof setup>['project'], sha: string) => decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', `${getArtifact(project.db, sha)!.sha256}.npy`))))

describe('AligNet jobs', () => {
  it('sweeps k, keeps the elbow’s clustering, and samples labelled triplets into the project', async () => {
    const { project, runner, seen } = setup()
    const features = seed(project)
    const clusters = await stateOf(seen, runner.start({ kind: 'alignetClusters', features, ks: [2, 3, 4, 5, 6, 8], restarts: 2, seed: 0 }).id)
    expect(clusters.state, clusters.error ?? '').toBe('done')
    const result = clusters.result as { ks: number[]; inertias: number[]; elbow: number; k: number; sizes: number[]; examples: string[][]; exampleObjects: number[][]; run: number }
    expect(result).toMatchObject({ ks: [2, 3, 4, 5, 6, 8], elbow: 4, k: 4, sizes: [60, 60, 60, 60] })
    // The same inertia as the CLI sweep (tests/integration/alignet.test.ts) at k = 4.
    expect(result.inertias[2]).toBeCloseTo(1157.46, 0)
    // Each cluster's examples come from one blob.
    for (const names of result.examples) expect(new Set(names.map((name) => name.split('_')[0])).size).toBe(1)
    // Six per cluster, by row: the blob of each row is its cluster's, and no row is in two clusters.
    expect(result.exampleObjects.map((rows) => rows.length)).toEqual([6, 6, 6, 6])
    for (const rows of result.exampleObjects) expect(new Set(rows.map((i) => ref.blob[i])).size).toBe(1)
    expect(new Set(result.exampleObjects.flat()).size).toBe(24)
    const run = getRun(project.db, result.run)!
    expect(run.kind).toBe('alignetClusters')

    seen.length = 0
    const triplets = await stateOf(seen, runner.start({ kind: 'alignetTriplets', clustersRun: result.run, mode: 'between', count: 400, seed: 1 }).id)
    expect(triplets.state, triplets.error ?? '').toBe('done')
    const dataset = listDatasets(project.db).find((d) => d.kind === 'triplets')!
    expect(dataset.meta).toMatchObject({ format: 'AligNet', synthetic: true, objects: ref.n, count: 400, mode: 'between', clustersRun: result.run })
    const indices = read(project, getDataset(project.db, dataset.id)!.artifact!).data as Int32Array
    const soft = read(project, dataset.meta.softLabels as string).data as Float32Array
    // Between-cluster triplets: two images of one blob; the teacher's odd one out is last, so its pair is the
    // most probable choice.
    let sameBlobPairFirst = 0
    for (let t = 0; t < 400; t++) {
      const [a, b, c] = [indices[3 * t]!, indices[3 * t + 1]!, indices[3 * t + 2]!]
      expect(new Set([ref.blob[a], ref.blob[b], ref.blob[c]]).size).toBe(2)
      if (ref.blob[a] === ref.blob[b]) sameBlobPairFirst++
      expect(soft[3 * t]!).toBeGreaterThanOrEqual(Math.max(soft[3 * t + 1]!, soft[3 * t + 2]!))
      expect(soft[3 * t]! + soft[3 * t + 1]! + soft[3 * t + 2]!).toBeCloseTo(1, 5)
    }
    expect(sameBlobPairFirst).toBeGreaterThan(300)

    // The same triplets in AligNet's layout: the teacher's ids as file names, its similarities, the indices.
    const file = join(project.dir, 'exported.npz')
    expect(exportAlignet(project.db, project.dir, dataset.id, file)).toEqual({ path: file, count: 400 })
    const back = decodeAlignet(new Uint8Array(readFileSync(file)))
    expect(back.count).toBe(400)
    expect(Array.from(back.indices)).toEqual(Array.from(indices))
    expect(Array.from(back.similarities)).toEqual(Array.from(read(project, dataset.meta.teacherSimilarities as string).data as Float32Array))
    expect(back.filenames.slice(0, 3)).toEqual(Array.from(indices.subarray(0, 3), (i) => `blob${ref.blob[i]}_${i}`))
    expect(() => exportAlignet(project.db, project.dir, features, file)).toThrow('"teacher" has no teacher similarities')
    expect(() => exportAlignet(project.db, project.dir, dataset.id, join(project.dir, 'x.npy'))).toThrow('end the name with .npz')
  })

  it('resumes a sweep after a crash with the same inertias', async () => {
    const { project, runner, seen } = setup()
    const features = seed(project)
    const spec = { kind: 'alignetClusters' as const, features, ks: [2, 3, 4, 5], restarts: 1, seed: 3 }
    const whole = await stateOf(seen, runner.start(spec).id)
    seen.length = 0
    const resumed = await crashAndResume(runner, seen, spec)
    expect(resumed.state).toBe('done')
    expect((resumed.result as { inertias: number[] }).inertias).toEqual((whole.result as { inertias: number[] }).inertias)
  })

  // 20,000 points in 16-d: a sweep to k = 400 runs for many seconds.
  function bigSweep({ project, runner, seen }: ReturnType<typeof setup>) {
    const random = randomGenerator(9)
    const x = Float32Array.from({ length: 20_000 * 16 }, () => random())
    const features = insertDataset(project.db, { kind: 'features', name: 'big', sourcePath: 't', meta: { n: 20_000, p: 16, ids: null } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [20_000, 16], data: x }).sha256)
    return async () => {
      const job = runner.start({ kind: 'alignetClusters', features, ks: [100, 200, 400], restarts: 3, seed: 0 })
      await until(seen, (e) => e.type === 'job.progress' && e.jobId === job.id && e.progress.stage.startsWith('k = 100'))
      return job.id
    }
  }

  it('cancels a sweep within a second and records nothing', async () => {
    const ctx = setup()
    await expectCancelledWithinASecond(ctx.runner, ctx.seen, ctx.project, await bigSweep(ctx)())
  }, 60_000)

  it('on webgpu, cancels and closes without terminating a worker inside a Dawn call (that aborts the whole process)', async () => {
    // Seen on SwiftShader, where k-means's GPU calls are slow: terminating the worker after the cancel grace killed
    // the test process with "FATAL ERROR: napi_throw". Reaching the end of this test is the first check.
    useSwiftShader()
    const ctx = onWebGpu()
    const { project, runner, seen } = ctx
    const sweep = bigSweep(ctx)
    const cancelled = await sweep()
    runner.cancel(cancelled)
    expect(await stateOf(seen, cancelled)).toMatchObject({ state: 'cancelled', backend: 'webgpu' })
    expect(project.info().counts.runs).toBe(0)
    // The next job runs while the cancelled worker winds down.
    const small = await stateOf(seen, runner.start({ kind: 'alignetClusters', features: seed(project), ks: [4], restarts: 1, seed: 0 }).id)
    expect(small.state, small.error ?? '').toBe('done')
    // Closing the project while a GPU job runs leaves it interrupted, to resume.
    const interrupted = await sweep()
    await runner.close()
    expect(runner.get(interrupted)).toMatchObject({ state: 'failed', error: expect.stringContaining('Interrupted') })
  }, 120_000)

  it('says when k exceeds the objects or the run is not a clustering', async () => {
    const { project, runner, seen } = setup()
    const features = seed(project)
    const big = await stateOf(seen, runner.start({ kind: 'alignetClusters', features, ks: [4, 500], restarts: 1, seed: 0 }).id)
    expect(big.error).toBe('k = 500 is more than the 240 objects of "teacher".')
    expect(() => runner.start({ kind: 'alignetTriplets', clustersRun: 999, mode: 'between', count: 10, seed: 0 })).toThrow('There is no run 999 in this project.')
  })
})

describe('AligNet evaluation job', () => {
  beforeAll(async () => {
    await chooseBackend({ force: 'wasm' })
  })

  // The 12-image, 3-class fixture of the CLI's test (tests/fixtures/classification/make_fixtures.py): the aligned
  // copy has its class structure strengthened; three "subjects" judge by class.
  const cls = JSON.parse(readFileSync(join(__dirname, '../fixtures/classification/reference.json'), 'utf8')) as { x: number[]; labels: string[]; nearestClassMean: number }

  const base = Float32Array.from(cls.x)
  const aligned = Float32Array.from(base, (v, k) => v + (Math.floor(Math.floor(k / 4) / 4) === k % 4 ? 3 : 0))
  const rdms = new Float64Array(3 * 144)
  for (let s = 0; s < 3; s++) for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) rdms[s * 144 + i * 12 + j] = i === j ? 0 : (Math.floor(i / 4) === Math.floor(j / 4) ? 0.2 : 1) + 0.01 * (((i + j + s) * 7) % 5)
  const classes = [...new Set(cls.labels)]
  const humanTriplets = Int32Array.of(0, 1, 4, 5, 6, 8, 9, 10, 0, 2, 3, 11, 4, 7, 1, 8, 11, 5)
  const rts = Float32Array.of(1.2, 0.8, 2.5, 1.9, 0.7, 1.4)

  /**
   * The base, the aligned copy and the human data as datasets of the project; with `order`, everything but the base
   * lists the objects in that order (row k is object order[k]) and every dataset names them.
   */
  function datasets(project: ReturnType<typeof setup>['project'], order: number[] | null = null) {
    const put = (array: Parameters<typeof putArray>[2]) => putArray(project.db, project.dir, array).sha256
    const rows = order ?? Array.from({ length: 12 }, (_, i) => i)
    const position = new Array<number>(12)
    rows.forEach((object, k) => (position[object] = k))
    const names = Array.from({ length: 12 }, (_, i) => `image_${String(i).padStart(2, '0')}`)
    const named = (list: number[]) => (order ? { ids: list.map((i) => names[i]!) } : {})
    const permuted = Float32Array.from({ length: 48 }, (_, k) => aligned[rows[Math.floor(k / 4)]! * 4 + (k % 4)]!)
    const matrices = Float64Array.from({ length: 3 * 144 }, (_, k) => rdms[Math.floor(k / 144) * 144 + rows[Math.floor((k % 144) / 12)]! * 12 + rows[k % 12]!]!)
    const labels = rows.map((i) => cls.labels[i]!)
    return {
      base: insertDataset(project.db, { kind: 'features', name: 'base', sourcePath: 't', meta: { n: 12, p: 4, ...(order ? { ids: names } : {}) } }, put({ dtype: '<f4', shape: [12, 4], data: base })),
      aligned: insertDataset(project.db, { kind: 'features', name: 'aligned', sourcePath: 't', meta: { n: 12, p: 4, ...named(rows) } }, put({ dtype: '<f4', shape: [12, 4], data: permuted })),
      triplets: insertDataset(project.db, { kind: 'triplets', name: 'human', sourcePath: 't', meta: { count: 6, objects: 12, rtArtifact: put({ dtype: '<f4', shape: [6], data: rts }), ...named(rows) } }, put({ dtype: '<i4', shape: [6, 3], data: Int32Array.from(humanTriplets, (i) => position[i]!) })),
      rdms: insertDataset(project.db, { kind: 'similarity', name: 'judgments', sourcePath: 't', meta: { n: 12, ...named(rows) } }, put({ dtype: '<f8', shape: [3, 12, 12], data: matrices })),
      // Concepts named by the class (repeated names) when unordered, by the objects' names when ordered.
      classes: insertDataset(project.db, { kind: 'concepts', name: 'classes', sourcePath: 't', meta: { n: 12, names: order ? rows.map((i) => names[i]!) : labels, categories: classes } }, put({ dtype: '|u1', shape: [12, classes.length], data: Uint8Array.from({ length: 12 * classes.length }, (_, k) => Number(labels[Math.floor(k / classes.length)] === classes[k % classes.length])) })),
    }
  }
  const evaluate = (ids: ReturnType<typeof datasets>) => ({ kind: 'alignetEvaluate' as const, base: ids.base, aligned: ids.aligned, triplets: ids.triplets, rdms: ids.rdms, labelsFrom: ids.classes, bootstrap: 200, seed: 0 })

  it('tabulates base against aligned on the project’s triplets, matrices and categories, as the CLI does', async () => {
    const { project, runner, seen } = setup()
    const ids = datasets(project)
    const job = await stateOf(seen, runner.start(evaluate(ids)).id)
    expect(job.state, job.error ?? '').toBe('done')
    const { rows } = job.result as { rows: BeforeAfterRow[] }
    expect(rows.map((r) => r.measure)).toEqual([
      'odd-one-out accuracy (6 human triplets)',
      'entropy of the choice (τ fitted) vs response time, Spearman',
      'RSA, Spearman, with the mean of 3 matrices (judgments)',
      "RSA, Spearman, mean over 3 subjects' matrices (judgments)",
      'one-shot accuracy (3 classes, 100 draws)',
      'nearest class mean, leave-one-out (3 classes)',
    ])
    // SciPy's figures, as the CLI's test checks them.
    const scipy = beforeAfterReference()
    expect(rows[0]!.test!.p).toBe(scipy.mcnemarP)
    expect([rows[2]!.base, rows[2]!.aligned, rows[3]!.base, rows[3]!.aligned, ...rows[3]!.sem!].map((v) => v.toFixed(12))).toEqual(
      [scipy.base.withMean, scipy.aligned.withMean, scipy.base.mean, scipy.aligned.mean, scipy.base.sem, scipy.aligned.sem].map((v) => v.toFixed(12)),
    )
    expect(rows[3]!.test!.p).toBe(scipy.signedRankP)
    // The entropy row is the metric's own entropy-RT correlation of each side, at its fitted τ.
    const direct = async (x: Float32Array) => oddOneOutAccuracy(await tripletSimilarities(x, 12, 4, humanTriplets, 'dot'), humanTriplets, 12, { rt: rts, temperature: 'fit' }).entropyRtSpearman
    expect(rows[1]!.base).toBeCloseTo((await direct(base))!, 12)
    expect(rows[1]!.aligned).toBeCloseTo((await direct(aligned))!, 12)
    // The NumPy reference for the base's nearest class mean; the aligned copy separates the classes.
    expect(rows[5]!.base).toBeCloseTo(cls.nearestClassMean, 12)
    expect(rows[5]!.aligned).toBe(1)
    expect(rows[3]!.ceiling![0]).toBeGreaterThan(0.3)
    expect(getRun(project.db, (job.result as { run: number }).run)!.kind).toBe('alignetEvaluate')
    expect(() => runner.start({ kind: 'alignetEvaluate', base: ids.base, aligned: ids.aligned, bootstrap: 0, seed: 0 })).toThrow('Nothing to evaluate on: choose human triplets, human similarity matrices, or categories.')
  })

  it('reads human matrices kept as similarities the other way round, as the RSA does', async () => {
    const { project, runner, seen } = setup()
    const ids = datasets(project)
    const similarities = insertDataset(project.db, { kind: 'similarity', name: 'judgments', sourcePath: 't', meta: { n: 12, measure: 'similarity' } }, putArray(project.db, project.dir, { dtype: '<f8', shape: [3, 12, 12], data: rdms.map((d) => 2 - d) }).sha256)
    const rowsOf = async (rdmsId: number) => ((await stateOf(seen, runner.start({ ...evaluate(ids), rdms: rdmsId, triplets: undefined, labelsFrom: undefined }).id)).result as { rows: BeforeAfterRow[] }).rows
    const [asDistances, asSimilarities] = [await rowsOf(ids.rdms), await rowsOf(similarities)]
    expect(asSimilarities).toEqual(asDistances)
    expect(asSimilarities[1]!.base.toFixed(12)).toBe(beforeAfterReference().base.mean.toFixed(12))
  })

  it('reads accuracy against the ceiling of triplets derived from several subjects', async () => {
    const { project, runner, seen } = setup()
    const ids = datasets(project)
    const derived = insertDataset(project.db, { kind: 'triplets', name: 'derived', sourcePath: 't', meta: { count: 6, objects: 12, subjects: 8, subjectsCeiling: 0.77 } }, putArray(project.db, project.dir, { dtype: '<i4', shape: [6, 3], data: humanTriplets }).sha256)
    const job = await stateOf(seen, runner.start({ ...evaluate(ids), triplets: derived, rdms: undefined, labelsFrom: undefined }).id)
    const [accuracy] = (job.result as { rows: BeforeAfterRow[] }).rows
    expect(accuracy!.ceiling).toEqual([0.77, 0.77])
    // Triplets answered once have none.
    const once = await stateOf(seen, runner.start({ ...evaluate(ids), rdms: undefined, labelsFrom: undefined }).id)
    expect((once.result as { rows: BeforeAfterRow[] }).rows[0]!.ceiling).toBeNull()
  })

  it('lines the aligned features and the human data up with the base by name when they list the objects in another order', async () => {
    const { project, runner, seen } = setup()
    const inOrder = await stateOf(seen, runner.start(evaluate(datasets(project))).id)
    const shuffled = [7, 2, 11, 0, 5, 9, 1, 4, 10, 3, 8, 6]
    const lined = await stateOf(seen, runner.start(evaluate(datasets(project, shuffled))).id)
    expect(lined.state, lined.error ?? '').toBe('done')
    const result = lined.result as { rows: unknown[]; objectsMatchedByName?: boolean }
    // Every row, bootstrap intervals included, is that of the same data in the base's order.
    expect(result.rows).toEqual((inOrder.result as { rows: unknown[] }).rows)
    expect(result.objectsMatchedByName).toBe(true)
    expect((inOrder.result as { objectsMatchedByName?: boolean }).objectsMatchedByName).toBeUndefined()
    // Named alike in the same order: nothing to line up, nothing said.
    const same = await stateOf(seen, runner.start(evaluate(datasets(project, Array.from({ length: 12 }, (_, i) => i)))).id)
    expect((same.result as { rows: unknown[] }).rows).toEqual((inOrder.result as { rows: unknown[] }).rows)
    expect((same.result as { objectsMatchedByName?: boolean }).objectsMatchedByName).toBeUndefined()
  })
})
