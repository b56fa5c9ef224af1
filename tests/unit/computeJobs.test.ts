// Compute jobs: backend per worker, checkpoints, resume after a crash or restart, cancel without leftovers.
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AppEvent, JobInfo } from '../../src-main/api/contract'
import { createEventBus } from '../../src-main/api/events'
import { createBackend } from '../../src-main/app/backend'
import type { BackendName } from '../../src-main/core/compute/backendNames'
import { parseDelimited } from '../../src-main/core/io/delimited'
import { decodeMat5, type MatValue } from '../../src-main/core/io/mat5'
import { decodeNpy, toCOrder } from '../../src-main/core/io/npy'
import { JobRunner } from '../../src-main/jobs/runner'
import { getArtifact, putArray } from '../../src-main/store/artifacts'
import { insertDataset } from '../../src-main/store/datasets'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'
import { compareRdms } from '../../src-main/core/metrics/rsa'
import { Project } from '../../src-main/store/project'
import { WORKER_DIR, EXAMPLES_DIR } from '../helpers/seed'
import { useSwiftShader } from '../helpers/swiftshader'
import { settled, until } from '../helpers/events'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

const fixture = (name: string) => decodeNpy(new Uint8Array(readFileSync(join(__dirname, '../fixtures/kernels', name))))

function runnerFor(project: Project, backend: BackendName | null) {
  const events = createEventBus()
  const seen: AppEvent[] = []
  events.subscribe((e) => seen.push(e))
  const runner = new JobRunner(project, { workerDir: WORKER_DIR, examplesDir: EXAMPLES_DIR, events, requestedBackend: () => backend })
  cleanup.push(() => runner.close())
  return { runner, seen }
}

function setup(backend: BackendName | null = 'wasm') {
  const project = Project.create(join(tmp(), 'p'), 'compute', '1')
  cleanup.push(() => project.close())
  return { project, ...runnerFor(project, backend) }
}


const checkpointed = (id: number) => (e: AppEvent) => e.type === 'job.state' && e.job.id === id && e.job.checkpointAt !== null
const stateOf = async (seen: AppEvent[], id: number): Promise<JobInfo> => ((await until(seen, settled(id))) as { job: JobInfo }).job

/** A deterministic n×48 float32 feature matrix: enough rows for many checkpointed blocks. */
function bigFeatures(project: Project, n = 600): string {
  const p = 48
  const data = new Float32Array(n * p)
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) + ((i * 7919) % 13) / 13
  return putArray(project.db, project.dir, { dtype: '<f4', shape: [n, p], data }).sha256
}

function readOutput(project: Project, job: JobInfo): Float32Array {
  const sha = (job.result as { outputs: { similarity: string } }).outputs.similarity
  const row = getArtifact(project.db, sha)!
  return decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', row.file)))).data as Float32Array
}

describe('similarity job', () => {
  it.each(['wasm', 'webgpu'] as const)('runs on the requested backend (%s) and matches NumPy', async (backend) => {
    useSwiftShader()
    const { project, runner, seen } = setup(backend)
    const x = fixture('x.npy')
    const features = putArray(project.db, project.dir, { dtype: '<f4', shape: x.shape, data: x.data }).sha256
    const job = runner.start({ kind: 'similarity', features, metric: 'dot', checkpointSeconds: 2 })
    const done = await stateOf(seen, job.id)
    expect(done).toMatchObject({ state: 'done', backend, result: { n: 37, p: 23, metric: 'dot', backend } })
    const reference = fixture('dot.npy').data as Float64Array
    const out = readOutput(project, done)
    let worst = 0
    for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i]! - reference[i]!))
    expect(worst).toBeLessThan(1e-3)
    expect(project.info().counts.artifacts).toBe(2)
  })

  it('refuses a feature artifact that is not a 2-D float32 matrix, before queueing', () => {
    const { project, runner } = setup()
    const sha = putArray(project.db, project.dir, { dtype: '<f8', shape: [3], data: Float64Array.of(1, 2, 3) }).sha256
    expect(() => runner.start({ kind: 'similarity', features: sha, metric: 'dot', checkpointSeconds: 2 })).toThrow(
      `Artifact ${sha} is <f8 of shape [3]; similarity needs a 2-D float32 feature matrix.`,
    )
    expect(() => runner.start({ kind: 'similarity', features: 'a'.repeat(64), metric: 'dot', checkpointSeconds: 2 })).toThrow(
      `There is no artifact ${'a'.repeat(64)} in this project.`,
    )
    expect(runner.list()).toEqual([])
  })

  it('resumes after its worker is killed and ends with the same matrix as an uninterrupted run', async () => {
    const { project, runner, seen } = setup('wasm')
    const features = bigFeatures(project)
    const spec = { kind: 'similarity' as const, features, metric: 'cosine' as const, blockRows: 20, checkpointSeconds: 0 }

    const whole = await stateOf(seen, runner.start(spec).id)
    expect(whole.state).toBe('done')
    const reference = readOutput(project, whole)

    const job = runner.start(spec)
    await until(seen, checkpointed(job.id))
    // A crash: the worker dies without a word.
    const running = (runner as unknown as { running: Map<string, { worker: { terminate(): Promise<number> } }> }).running
    await running.get('compute')!.worker.terminate()
    const crashed = await stateOf(seen, job.id)
    expect(crashed).toMatchObject({ state: 'failed', resumable: true })
    expect(crashed.error).toMatch(/stopped unexpectedly/)
    expect(crashed.progress.fraction).toBeLessThan(1)
    expect(existsSync(join(project.dir, 'jobs', String(job.id), 'checkpoint.json'))).toBe(true)

    seen.length = 0
    runner.resume(job.id)
    const resumed = await stateOf(seen, job.id)
    expect(resumed.state).toBe('done')
    // It continued: the first progress after resuming is past the start.
    const first = seen.find((e) => e.type === 'job.progress' && e.jobId === job.id) as Extract<AppEvent, { type: 'job.progress' }>
    expect(first.progress.fraction).toBeGreaterThan(20 / 600)
    expect((resumed.result as { outputs: { similarity: string } }).outputs.similarity).toBe(
      (whole.result as { outputs: { similarity: string } }).outputs.similarity,
    )
    expect(Array.from(readOutput(project, resumed).subarray(0, 1000))).toEqual(Array.from(reference.subarray(0, 1000)))
    expect(existsSync(join(project.dir, 'jobs', String(job.id)))).toBe(false)
  })

  it('resumes after the app stopped mid-run (a new runner on the same project)', async () => {
    const { project, runner, seen } = setup('wasm')
    const features = bigFeatures(project)
    const job = runner.start({ kind: 'similarity', features, metric: 'dot', blockRows: 20, checkpointSeconds: 0 })
    await until(seen, checkpointed(job.id))
    await runner.close()
    // A new session: the job is reported interrupted and can be resumed.
    const later = runnerFor(project, 'wasm')
    expect(later.runner.get(job.id)).toMatchObject({ state: 'failed', resumable: true })
    later.runner.resume(job.id)
    const done = await stateOf(later.seen, job.id)
    expect(done).toMatchObject({ state: 'done', result: { n: 600, p: 48 } })
  })

  it('cancelled mid-way leaves no partial artifact and no checkpoint', async () => {
    const { project, runner, seen } = setup('wasm')
    // 1,000 blocks: long enough to be caught in the middle.
    const features = bigFeatures(project, 2000)
    const before = readdirSync(join(project.dir, 'artifacts')).sort()
    const job = runner.start({ kind: 'similarity', features, metric: 'dot', blockRows: 2, checkpointSeconds: 0.1 })
    await until(seen, checkpointed(job.id))
    runner.cancel(job.id)
    const end = await stateOf(seen, job.id)
    expect(end).toMatchObject({ state: 'cancelled', resumable: false, checkpointAt: null })
    expect(readdirSync(join(project.dir, 'artifacts')).sort()).toEqual(before)
    expect(project.info().counts.artifacts).toBe(1)
    expect(existsSync(join(project.dir, 'jobs', String(job.id)))).toBe(false)
  })

  it('runs a compute job and a file check at the same time, one per lane', async () => {
    const { project, runner, seen } = setup('wasm')
    const features = bigFeatures(project, 2000)
    const compute = runner.start({ kind: 'similarity', features, metric: 'dot', blockRows: 2, checkpointSeconds: 0.1 })
    const second = runner.start({ kind: 'similarity', features, metric: 'dot', checkpointSeconds: 2 })
    const io = runner.start({ kind: 'verifyArtifacts' })
    await stateOf(seen, second.id)
    const at = (id: number, state: string) => seen.findIndex((e) => e.type === 'job.state' && e.job.id === id && e.job.state === state)
    // The file check ran beside the first compute job; the second compute job waited for the first.
    expect(at(io.id, 'running')).toBeLessThan(at(compute.id, 'done'))
    expect(at(io.id, 'done')).toBeLessThan(at(compute.id, 'done'))
    expect(at(second.id, 'running')).toBeGreaterThan(at(compute.id, 'done'))
  })
})

describe('job specs', () => {
  it('are rejected with a message naming the wrong field', async () => {
    const backend = createBackend({
      app: { name: 'HumanAlign', version: '1', node: process.versions.node, electron: null, platform: process.platform, transport: 'cli' },
      workerDir: WORKER_DIR,
      examplesDir: EXAMPLES_DIR,
    })
    cleanup.push(() => backend.close())
    await backend.session.create(join(tmp(), 'p'), 'x')
    const sha = 'b'.repeat(64)
    expect(await backend.dispatch('cli', 'jobs.start', { kind: 'similarity', features: sha, metrc: 'dot' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: expect.stringMatching(/Invalid input for jobs.start: .*"metrc"/) },
    })
    expect(await backend.dispatch('cli', 'jobs.start', { kind: 'similarity', features: 'xyz' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('features: expected the SHA-256 of an artifact (64 hex characters)') },
    })
    expect(await backend.dispatch('cli', 'jobs.start', { kind: 'similarity', features: sha, metric: 'l2' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/metric: .*"dot"|"cosine"/) },
    })
    expect(await backend.dispatch('cli', 'jobs.start', { kind: 'train' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })
})

describe('evaluate job', () => {
  it('runs RSA and odd-one-out on the project’s datasets and stores each as a run', async () => {
    const { project, runner, seen } = setup('wasm')
    const rdm48 = toCOrder((decodeMat5(new Uint8Array(readFileSync(join(EXAMPLES_DIR, 'things/RDM48_triplet.mat')))).RDM48_triplet as Extract<MatValue, { kind: 'numeric' }>).array)
    const rdmId = insertDataset(project.db, { kind: 'similarity', name: 'RDM48', sourcePath: 't', meta: { n: 48 } }, putArray(project.db, project.dir, rdm48).sha256)
    const table = await parseDelimited(createReadStream(join(EXAMPLES_DIR, 'things/spose_embedding66d_rescaled_48val_reordered.csv')))
    const dims = table.columns.filter((c) => /^\d+$/.test(c.name))
    const x = new Float32Array(48 * dims.length)
    dims.forEach((c, d) => c.numbers!.forEach((v, i) => (x[i * dims.length + d] = v)))
    const spose = insertDataset(project.db, { kind: 'features', name: 'SPoSE 48', sourcePath: 't', meta: { n: 48, p: 66 } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [48, 66], data: x }).sha256)
    const rsa = runner.start({ kind: 'evaluate', metric: 'rsa', a: rdmId, b: spose, similarity: 'dot', temperature: 1, rdm: 'cosine', method: 'spearman', bootstrap: 0, permutations: 0, seed: 0, unbiased: false })
    const done = await stateOf(seen, rsa.id)
    const expected = JSON.parse(readFileSync(join(__dirname, '../fixtures/metrics/rsa48.json'), 'utf8')).cosine_spearman as number
    expect(done.state).toBe('done')
    expect((done.result as { r: number }).r).toBeCloseTo(expected, 10)

    // With resampling, run in chunks with progress: the same numbers as one uninterrupted comparison.
    seen.length = 0
    const resampled = runner.start({ kind: 'evaluate', metric: 'rsa', a: rdmId, b: spose, similarity: 'dot', temperature: 1, rdm: 'cosine', method: 'spearman', bootstrap: 35, permutations: 25, seed: 4, unbiased: false })
    const resampledDone = await stateOf(seen, resampled.id)
    const sposeRdm = rdmFromFeatures(x, 48, 66, 'cosine')
    const direct = compareRdms(rdm48.data as Float64Array, sposeRdm, 48, { method: 'spearman', bootstrap: 35, permutations: 25, seed: 4 })
    expect(resampledDone.result).toMatchObject({ r: direct.r, ci95: direct.ci95, p: direct.p })
    expect(seen.some((e) => e.type === 'job.progress' && e.progress.stage === 'Permutation 25 of 25' && e.progress.fraction === 1)).toBe(true)

    // Two clusters; the model agrees on 3 of 5 triplets (as in the CLI test).
    const features = insertDataset(project.db, { kind: 'features', name: 'clusters', sourcePath: 't', meta: { n: 6, p: 2 } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [6, 2], data: Float32Array.of(1, 0, 0.9, 0.1, 0.95, 0.05, 0, 1, 0.1, 0.9, 0.05, 0.95) }).sha256)
    const triplets = insertDataset(project.db, { kind: 'triplets', name: 'five', sourcePath: 't', meta: { objects: 6 } }, putArray(project.db, project.dir, { dtype: '<i4', shape: [5, 3], data: Int32Array.of(0, 1, 3, 3, 4, 2, 1, 2, 5, 0, 3, 1, 4, 0, 5) }).sha256)
    const ooo = runner.start({ kind: 'evaluate', metric: 'odd-one-out', a: features, b: triplets, similarity: 'cosine', temperature: 1, rdm: 'correlation', method: 'spearman', bootstrap: 0, permutations: 0, seed: 0, unbiased: false })
    const oooDone = await stateOf(seen, ooo.id)
    expect(oooDone).toMatchObject({ state: 'done', backend: 'wasm', result: { accuracy: 0.6, correct: 3, total: 5 } })
    expect(project.info().counts.runs).toBe(3)

    const mismatch = runner.start({ kind: 'evaluate', metric: 'odd-one-out', a: spose, b: triplets, similarity: 'dot', temperature: 1, rdm: 'correlation', method: 'spearman', bootstrap: 0, permutations: 0, seed: 0, unbiased: false })
    expect(await stateOf(seen, mismatch.id)).toMatchObject({ state: 'failed', error: '"five" refers to 6 objects but "SPoSE 48" has 48; choose triplets of the same object list.' })
  })

  it('lines up two datasets that list the same objects in different orders by their names, and refuses different objects', async () => {
    const { project, runner, seen } = setup('wasm')
    const rdm48 = toCOrder((decodeMat5(new Uint8Array(readFileSync(join(EXAMPLES_DIR, 'things/RDM48_triplet.mat')))).RDM48_triplet as Extract<MatValue, { kind: 'numeric' }>).array)
    const names = Array.from({ length: 48 }, (_, i) => `object ${i}`)
    const rdmId = insertDataset(project.db, { kind: 'similarity', name: 'RDM48', sourcePath: 't', meta: { n: 48, ids: names } }, putArray(project.db, project.dir, rdm48).sha256)
    const table = await parseDelimited(createReadStream(join(EXAMPLES_DIR, 'things/spose_embedding66d_rescaled_48val_reordered.csv')))
    const dims = table.columns.filter((c) => /^\d+$/.test(c.name))
    // The SPoSE rows in another order (row k holds object 47 − k), named so, as image files.
    const order = Array.from({ length: 48 }, (_, k) => 47 - k)
    const x = new Float32Array(48 * dims.length)
    order.forEach((object, k) => dims.forEach((c, d) => (x[k * dims.length + d] = c.numbers![object]!)))
    const ids = order.map((object) => `stimuli/object ${object}.jpg`)
    const shuffled = insertDataset(project.db, { kind: 'features', name: 'SPoSE 48 reversed', sourcePath: 't', meta: { n: 48, p: 66, ids } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [48, 66], data: x }).sha256)
    const spec = { kind: 'evaluate', metric: 'rsa', a: rdmId, b: shuffled, similarity: 'dot', temperature: 1, rdm: 'cosine', method: 'spearman', bootstrap: 0, permutations: 0, seed: 0, unbiased: false } as const
    const done = await stateOf(seen, runner.start(spec).id)
    // The same correlation as SciPy's with the rows in RDM48's order.
    const expected = JSON.parse(readFileSync(join(__dirname, '../fixtures/metrics/rsa48.json'), 'utf8')).cosine_spearman as number
    expect(done.state).toBe('done')
    expect(done.result).toMatchObject({ objectsMatchedByName: true })
    expect((done.result as { r: number }).r).toBeCloseTo(expected, 10)
    // CKA of the two orders of the same features is 1 once lined up.
    const inOrder = insertDataset(project.db, { kind: 'features', name: 'SPoSE 48', sourcePath: 't', meta: { n: 48, p: 66, ids: names } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [48, 66], data: Float32Array.from({ length: 48 * 66 }, (_, i) => dims[i % 66]!.numbers![Math.floor(i / 66)]!) }).sha256)
    const cka = await stateOf(seen, runner.start({ ...spec, metric: 'cka', a: inOrder, b: shuffled }).id)
    expect(cka.result).toMatchObject({ objectsMatchedByName: true })
    expect((cka.result as { cka: number }).cka).toBeCloseTo(1, 5)
    // Triplets imported against the named list index it: the reversed features are taken in its order, so the
    // odd-one-out accuracy is that of the features in order.
    const indices = Int32Array.from({ length: 300 }, (_, i) => (i * 7 + Math.floor(i / 3) * 5) % 48)
    for (let t = 0; t < 100; t++) if (new Set(indices.subarray(3 * t, 3 * t + 3)).size < 3) indices.set([t % 48, (t + 1) % 48, (t + 2) % 48], 3 * t)
    const named = insertDataset(project.db, { kind: 'triplets', name: 'named triplets', sourcePath: 't', meta: { objects: 48, count: 100, ids: names } }, putArray(project.db, project.dir, { dtype: '<i4', shape: [100, 3], data: indices }).sha256)
    const ooo = { ...spec, metric: 'odd-one-out', b: named } as const
    const inOrderAccuracy = await stateOf(seen, runner.start({ ...ooo, a: inOrder }).id)
    const reversedAccuracy = await stateOf(seen, runner.start({ ...ooo, a: shuffled }).id)
    expect(reversedAccuracy.result).toMatchObject({ objectsMatchedByName: true, accuracy: (inOrderAccuracy.result as { accuracy: number }).accuracy })
    expect(inOrderAccuracy.result).not.toHaveProperty('objectsMatchedByName')
    // Unnamed, the reversed rows are taken as they are: another accuracy.
    const unnamed = insertDataset(project.db, { kind: 'features', name: 'reversed, unnamed', sourcePath: 't', meta: { n: 48, p: 66 } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [48, 66], data: x }).sha256)
    const unnamedAccuracy = await stateOf(seen, runner.start({ ...ooo, a: unnamed }).id)
    expect((unnamedAccuracy.result as { accuracy: number }).accuracy).not.toBe((inOrderAccuracy.result as { accuracy: number }).accuracy)

    // Other objects are refused, naming some.
    const others = insertDataset(project.db, { kind: 'features', name: 'others', sourcePath: 't', meta: { n: 48, p: 66, ids: names.map((n, i) => (i < 2 ? `other ${i}` : n)) } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [48, 66], data: x }).sha256)
    expect(await stateOf(seen, runner.start({ ...spec, b: others }).id)).toMatchObject({
      state: 'failed',
      error: '"RDM48" and "others" name different objects: "object 0", "object 1" of "RDM48" are not in "others"; "other 0", "other 1" of "others" are not in "RDM48". Compare representations of the same objects.',
    })
  })

  it('computes the noise ceiling of several subjects and CKA of two feature sets as runs, equal to NumPy/SciPy', async () => {
    const { project, runner, seen } = setup('cpu')
    const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/metrics/rdm_cka.json'), 'utf8'))
    const base = { kind: 'evaluate', similarity: 'dot', temperature: 1, rdm: 'correlation', method: 'spearman', bootstrap: 0, permutations: 0, seed: 0 } as const
    const rdms = (decodeMat5(new Uint8Array(readFileSync(join(EXAMPLES_DIR, 'rsa92/92_behavRDMs.mat')))).rdms_behav_92 as Extract<MatValue, { kind: 'struct' }>).elements
    const stacked = new Float64Array(16 * 92 * 92)
    rdms.forEach((e, s) => stacked.set(toCOrder((e.RDM as Extract<MatValue, { kind: 'numeric' }>).array).data as Float64Array, s * 92 * 92))
    const subjects = insertDataset(project.db, { kind: 'similarity', name: '92 behaviour', sourcePath: 't', meta: { n: 92 } }, putArray(project.db, project.dir, { dtype: '<f8', shape: [16, 92, 92], data: stacked }).sha256)
    const ceiling = await stateOf(seen, runner.start({ ...base, metric: 'ceiling', a: subjects, unbiased: false }).id)
    expect(ceiling.state).toBe('done')
    const { lower, upper } = ceiling.result as { lower: number; upper: number }
    expect(lower).toBeCloseTo(fixture.ceiling92_spearman.lower, 10)
    expect(upper).toBeCloseTo(fixture.ceiling92_spearman.upper, 10)

    const features = (name: string, values: number[], p: number) =>
      insertDataset(project.db, { kind: 'features', name, sourcePath: 't', meta: { n: 12, p } }, putArray(project.db, project.dir, { dtype: '<f4', shape: [12, p], data: Float32Array.from(values) }).sha256)
    const x = features('x', fixture.x, 5)
    const y = features('y', fixture.y, 7)
    for (const unbiased of [false, true]) {
      const done = await stateOf(seen, runner.start({ ...base, metric: 'cka', a: x, b: y, unbiased }).id)
      // The features are stored as float32; the reference used float64.
      expect((done.result as { cka: number }).cka).toBeCloseTo(unbiased ? fixture.cka_unbiased : fixture.cka_biased, 5)
    }
    // Triplets answered several times: the leave-one-out ceiling, as a run, and beside an odd-one-out accuracy.
    const repeated = insertDataset(project.db, { kind: 'triplets', name: 'repeated', sourcePath: 't', meta: { objects: 12, count: 6 } }, putArray(project.db, project.dir, { dtype: '<i4', shape: [6, 3], data: Int32Array.of(0, 1, 2, 1, 0, 2, 0, 2, 1, 3, 4, 5, 4, 3, 5, 6, 7, 8) }).sha256)
    const fromTriplets = await stateOf(seen, runner.start({ ...base, metric: 'ceiling', a: repeated, unbiased: false }).id)
    expect(fromTriplets.result).toMatchObject({ ceiling: 0.6, repeatedTriplets: 2, responses: 5 })
    const accuracy = await stateOf(seen, runner.start({ ...base, metric: 'odd-one-out', a: x, b: repeated, unbiased: false }).id)
    expect(accuracy.result).toMatchObject({ total: 6, ceiling: 0.6, ceilingKind: 'leave-one-out' })
    expect(project.info().counts.runs).toBe(5)

    const single = await stateOf(seen, runner.start({ ...base, metric: 'ceiling', a: x, unbiased: false }).id)
    expect(single).toMatchObject({ state: 'failed', error: '"x" is features; a noise ceiling needs similarity matrices of several subjects, or triplets answered by several people.' })
    expect(() => runner.start({ ...base, metric: 'cka', a: x, unbiased: false })).toThrow('cka compares two datasets; choose the second as b.')
  })
})
