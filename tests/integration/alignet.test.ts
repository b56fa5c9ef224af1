import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeAlignet, encodeAlignet } from '../../src-main/core/alignet/alignetFile'
import { disposeModel, loadModel } from '../../src-main/models/model'
import { decodeNpy, encodeNpy } from '../../src-main/core/io/npy'
import { encodeNpz } from '../../src-main/core/io/npz'
import { getDataset, listDatasets } from '../../src-main/store/datasets'
import { Project } from '../../src-main/store/project'
import type { BeforeAfterRow } from '../../src-main/api/beforeAfterTable'
import { beforeAfterReference } from '../helpers/beforeAfterReference'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const env = { HUMANALIGN_BACKEND: 'wasm' }
const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/alignet/kmeans.json'), 'utf8')) as { x: number[]; blob: number[] }

/** The four 5-d blobs of the k-means fixture (240 images) as a teacher's features, with file names. */
function teacher(dir: string) {
  writeFileSync(join(dir, 'features.npy'), encodeNpy({ dtype: '<f4', shape: [240, 5], data: Float32Array.from(ref.x) }))
  writeFileSync(join(dir, 'file_names.txt'), `${Array.from({ length: 240 }, (_, i) => `blob${ref.blob[i]}/img${i}.jpg`).join('\n')}\n`)
  return join(dir, 'features.npy')
}

describe('importing AligNet files', () => {
  it('reads the NumPy-written layout as triplets with the teacher’s choice probabilities as soft labels', () => {
    const dir = tmp()
    expect(runCli(['project', 'create', join(dir, 'p')]).code).toBe(0)
    const file = join(__dirname, '../fixtures/alignet/alignet_numpy.npz')
    const r = runCli(['import', 'triplets', file, '--project', join(dir, 'p'), '--objects', '5', '--json'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toMatchObject({ dataset: 'triplets', count: 2, objects: 5, format: 'AligNet' })
    const project = Project.open(join(dir, 'p'))
    try {
      const dataset = getDataset(project.db, listDatasets(project.db)[0]!.id)!
      expect(dataset.meta).toMatchObject({ format: 'AligNet', oddOneOut: 2, exampleFilenames: ['n01/a.JPEG', 'n01/b.JPEG', 'n02/c.JPEG'] })
      const soft = decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', `${String(dataset.meta.softLabels)}.npy`)))).data as Float32Array
      const expected = [0.9, 0.1, 0.2].map((v) => Math.exp(v)).map((e, _, all) => e / all.reduce((a, b) => a + b, 0))
      expected.forEach((v, i) => expect(soft[i]).toBeCloseTo(v, 6))
    } finally {
      project.close()
    }
  })
})

describe('humanalign alignet', () => {
  it('sweeps k and finds the elbow of the four blobs', () => {
    const features = teacher(tmp())
    const r = JSON.parse(runCli(['alignet', 'clusters', '--features', features, '--k', '2,3,4,5,6,8', '--json'], env).stdout)
    expect(r).toMatchObject({ n: 240, dimensions: 5, ks: [2, 3, 4, 5, 6, 8], elbow: 4 })
    expect(r.inertias[2]).toBeCloseTo(1157.46, 0)
    // Mini-batches of 48 find the same elbow, and k = 4 within 1% of the full inertia.
    const mini = JSON.parse(runCli(['alignet', 'cluster', '--features', features, '--k', '2,3,4,5,6,8', '--mini-batch', '48', '--json'], env).stdout)
    expect(mini.elbow).toBe(4)
    expect(Math.abs(mini.inertias[2] - r.inertias[2]) / r.inertias[2]).toBeLessThan(0.01)
  })

  it('writes between-cluster triplets labelled by the teacher in AligNet’s layout', () => {
    const dir = tmp()
    const features = teacher(dir)
    const out = join(dir, 'triplets.npz')
    const r = runCli(['alignet', 'triplets', '--features', features, '--k', '4', '--count', '500', '--file-names', join(dir, 'file_names.txt'), '--out', out, '--json'], env)
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    // The teacher's dot products mostly, not always, single out the image from the other blob (the blobs are
    // not centred on the origin, so dot products also reward distance from it).
    expect(result).toMatchObject({ n: 240, k: 4, mode: 'between', count: 500 })
    expect(result.oddOneFromOtherCluster).toBeGreaterThan(0.85)
    const file = decodeAlignet(new Uint8Array(readFileSync(out)))
    expect(file.count).toBe(500)
    for (let t = 0; t < 500; t++) {
      const [a, b, c] = [file.indices[3 * t]!, file.indices[3 * t + 1]!, file.indices[3 * t + 2]!]
      expect(file.filenames.slice(3 * t, 3 * t + 3)).toEqual([a, b, c].map((i) => `blob${ref.blob[i]}/img${i}.jpg`))
      // Two images of one blob and one of another, in whatever order the teacher put them.
      expect(new Set([a, b, c].map((i) => ref.blob[i])).size).toBe(2)
      // [s01, s02, s12]: the first pair is the most similar.
      expect(file.similarities[3 * t]!).toBeGreaterThanOrEqual(Math.max(file.similarities[3 * t + 1]!, file.similarities[3 * t + 2]!))
    }
    expect(runCli(['alignet', 'triplets', '--features', features, '--k', '4', '--count', '10', '--mode', 'sideways', '--out', out], env).stderr).toContain('--mode')
    expect(runCli(['alignet', 'triplets', '--features', features, '--k', '300', '--count', '10', '--out', out], env).stderr).toContain('k = 300 must be between 2 and the 240 images.')
  })
})

describe('humanalign alignet cluster, sample, label', () => {
  it('gives, step by step, the same AligNet file as the one-go triplets command', () => {
    const dir = tmp()
    const features = teacher(dir)
    const names = join(dir, 'file_names.txt')
    const steps = [
      ['alignet', 'cluster', '--features', features, '--k', '2,3,4,5,6', '--out', join(dir, 'clusters.npz'), '--json'],
      ['alignet', 'sample', '--clusters', join(dir, 'clusters.npz'), '--count', '300', '--mode', 'border', '--out', join(dir, 'sampled.npy'), '--json'],
      ['alignet', 'label', '--features', features, '--triplets', join(dir, 'sampled.npy'), '--file-names', names, '--out', join(dir, 'steps.npz'), '--json'],
      ['alignet', 'triplets', '--features', features, '--k', '4', '--count', '300', '--mode', 'border', '--file-names', names, '--out', join(dir, 'onego.npz'), '--json'],
    ]
    const [cluster, sample, label] = steps.map((args) => {
      const r = runCli(args, env)
      expect(r.stderr).toBe('')
      return JSON.parse(r.stdout)
    })
    // The elbow picks the four blobs, 60 images each.
    expect(cluster).toMatchObject({ elbow: 4, k: 4, sizes: [60, 60, 60, 60] })
    expect(sample).toMatchObject({ images: 240, k: 4, mode: 'border', count: 300 })
    expect(label).toMatchObject({ images: 240, count: 300 })
    expect(readFileSync(join(dir, 'steps.npz')).equals(readFileSync(join(dir, 'onego.npz')))).toBe(true)
  })

  it('says what a clusters file lacks', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'bad.npz'), encodeNpz({ labels: { dtype: '<i4', shape: [3], data: Int32Array.of(0, 1, 0) } }))
    const r = runCli(['alignet', 'sample', '--clusters', join(dir, 'bad.npz'), '--count', '2', '--out', join(dir, 't.npy')], env)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("bad.npz is not a clusters.npz: it needs 'labels' (n) and 'centroids' (k × q)")
  })
})

describe('humanalign alignet distill', () => {
  const images = join(__dirname, '../../resources/examples/langlois25')
  const names = ['image_r_10.jpg', 'image_r_115.jpg', 'image_r_125.jpg', 'image_r_126.jpg', 'image_r_134.jpg', 'image_r_146.jpg']
  /** Four teacher-labelled triplets over six of the Langlois images. */
  function labelled(dir: string): string {
    const rows = [[0, 1, 2], [3, 4, 5], [0, 3, 5], [1, 2, 4]]
    const file = join(dir, 'triplets.npz')
    const filenames = rows.flat().map((i) => names[i]!)
    writeFileSync(file, encodeAlignet({ count: 4, filenames, similarities: Float32Array.from({ length: 12 }, (_, k) => [0.9, 0.1, 0.2][k % 3]!), indices: Int32Array.from(rows.flat()) }))
    return file
  }

  it('fine-tunes the bundled MobileNetV2 with a triplet head and saves a model that loads back', async () => {
    const dir = tmp()
    const out = join(dir, 'student')
    const r = runCli(['alignet', 'distill', '--triplets', labelled(dir), '--images', images, '--out', out, '--steps', '2', '--batch-size', '1', '--head', '16', '--warmup', '1', '--json'], env, 200_000)
    // tfjs's CPU backend greets on stderr; no error of ours.
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toMatch(/humanalign:/)
    const result = JSON.parse(r.stdout)
    // On wasm, with the convolution gradients we supply there.
    expect(result).toMatchObject({ model: 'MobileNetV2', layer: 'flatten_1', images: 6, triplets: 4, steps: 2, backend: 'wasm' })
    expect(result.note).toBeUndefined()
    expect(result.divergenceFirst).toBeGreaterThan(0)
    const model = await loadModel({ kind: 'folder', path: out })
    expect(model.layersModel!.outputs[0]!.shape).toEqual([null, 16])
    expect(model.layers.at(-1)!.name).toBe('triplet_head')
    disposeModel(model)
  }, 240_000)

  it('names the missing images and leaves nothing behind', () => {
    const dir = tmp()
    const out = join(dir, 'student')
    const r = runCli(['alignet', 'distill', '--triplets', labelled(dir), '--images', dir, '--out', out], env)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`6 of the 6 images named in ${join(dir, 'triplets.npz')} are not in ${dir} (the first: image_r_10.jpg)`)
    expect(existsSync(out)).toBe(false)
  })
})

describe('humanalign alignet evaluate', () => {
  // The classification fixture's 12 images in 3 classes (tests/fixtures/classification/make_fixtures.py) as the
  // base; the aligned copy has its class structure strengthened. Three "subjects" judge by class membership.
  const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/classification/reference.json'), 'utf8')) as { x: number[]; labels: string[]; nearestClassMean: number }
  function files(dir: string) {
    const base = Float32Array.from(ref.x)
    // Image i of class c = ⌊i/4⌋ gets +3 on feature c.
    const aligned = Float32Array.from(base, (v, k) => v + (Math.floor(Math.floor(k / 4) / 4) === k % 4 ? 3 : 0))
    const rdms = new Float64Array(3 * 144)
    for (let s = 0; s < 3; s++) for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) rdms[s * 144 + i * 12 + j] = i === j ? 0 : (Math.floor(i / 4) === Math.floor(j / 4) ? 0.2 : 1) + 0.01 * (((i + j + s) * 7) % 5)
    // Human triplets: two from one class, the odd one from another.
    const triplets = Int32Array.from([0, 1, 4, 5, 6, 8, 9, 10, 0, 2, 3, 11, 4, 7, 1, 8, 11, 5].map(Number))
    writeFileSync(join(dir, 'base.npy'), encodeNpy({ dtype: '<f4', shape: [12, 4], data: base }))
    writeFileSync(join(dir, 'aligned.npy'), encodeNpy({ dtype: '<f4', shape: [12, 4], data: aligned }))
    writeFileSync(join(dir, 'rdms.npy'), encodeNpy({ dtype: '<f8', shape: [3, 12, 12], data: rdms }))
    writeFileSync(join(dir, 'triplets.npy'), encodeNpy({ dtype: '<i4', shape: [6, 3], data: triplets }))
    writeFileSync(join(dir, 'labels.txt'), `${ref.labels.join('\n')}\n`)
    return (name: string) => join(dir, name)
  }

  it('tabulates base against aligned on triplets, RDMs with their ceiling, and labels', () => {
    const f = files(tmp())
    const r = runCli(['alignet', 'evaluate', '--base', f('base.npy'), '--aligned', f('aligned.npy'), '--triplets', f('triplets.npy'), '--rdms', f('rdms.npy'), '--labels', f('labels.txt'), '--bootstrap', '200', '--json'], env)
    expect(r.stderr).toBe('')
    const { images, rows } = JSON.parse(r.stdout) as { images: number; rows: BeforeAfterRow[] }
    expect(images).toBe(12)
    expect(rows.map((row) => row.measure)).toEqual([
      'odd-one-out accuracy (6 human triplets)',
      'RSA, Spearman, with the mean of 3 matrices (rdms.npy)',
      "RSA, Spearman, mean over 3 subjects' matrices (rdms.npy)",
      'one-shot accuracy (3 classes, 100 draws)',
      'nearest class mean, leave-one-out (3 classes)',
    ])
    // The NumPy reference for the base's nearest class mean; the aligned copy separates the classes.
    expect(rows[4]!.base).toBeCloseTo(ref.nearestClassMean, 12)
    expect(rows[4]!.aligned).toBe(1)
    // SciPy's figures (tests/fixtures/classification/make_beforeafter.py): accuracies and McNemar's p, RSA with the
    // mean RDM, and the mean over subjects ± SEM with the signed-rank test of the change.
    const scipy = beforeAfterReference()
    const share = (agreed: boolean[]) => agreed.filter(Boolean).length / agreed.length
    expect([rows[0]!.base, rows[0]!.aligned, rows[0]!.test]).toEqual([share(scipy.agreement.base), share(scipy.agreement.aligned), { name: "McNemar's exact test over the triplets", p: scipy.mcnemarP }])
    expect(rows[1]!.base).toBeCloseTo(scipy.base.withMean, 12)
    expect(rows[1]!.aligned).toBeCloseTo(scipy.aligned.withMean, 12)
    expect([rows[1]!.baseCi95, rows[1]!.ceiling]).toEqual([expect.any(Array), null])
    expect(rows[2]!.base).toBeCloseTo(scipy.base.mean, 12)
    expect(rows[2]!.aligned).toBeCloseTo(scipy.aligned.mean, 12)
    expect(rows[2]!.sem![0]).toBeCloseTo(scipy.base.sem, 12)
    expect(rows[2]!.sem![1]).toBeCloseTo(scipy.aligned.sem, 12)
    expect(rows[2]!.test).toEqual({ name: "Wilcoxon's signed-rank test over 3 subjects", p: scipy.signedRankP })
    // The subjects agree on the classes but rank the tied pairs by their own noise: a modest ceiling, which bounds
    // the mean over subjects, not the correlation with their mean.
    expect(rows[2]!.ceiling![0]).toBeGreaterThan(0.3)
    expect(rows[2]!.ceiling![1]).toBeGreaterThan(rows[2]!.ceiling![0])
    const text = runCli(['alignet', 'evaluate', '--base', f('base.npy'), '--aligned', f('aligned.npy'), '--triplets', f('triplets.npy'), '--rdms', f('rdms.npy'), '--labels', f('labels.txt')], env).stdout
    expect(text).toContain('nearest class mean, leave-one-out (3 classes)')
    expect(text).toContain(`base 0.429 ± 0.016  aligned 0.576 ± 0.013  change +0.147  p 0.250 (Wilcoxon's signed-rank test over 3 subjects)  ceiling`)
    expect(text).toContain("p 0.500 (McNemar's exact test over the triplets)")
  })

  it('puts the aligned features and the matrices in the base’s order where the files name their objects', () => {
    const dir = tmp()
    const f = files(dir)
    const names = Array.from({ length: 12 }, (_, i) => `img${i}`)
    const base = Float32Array.from(ref.x)
    const aligned = Float32Array.from(base, (v, k) => v + (Math.floor(Math.floor(k / 4) / 4) === k % 4 ? 3 : 0))
    const rdm = Float64Array.from({ length: 144 }, (_, k) => {
      const [i, j] = [Math.floor(k / 12), k % 12]
      return i === j ? 0 : (Math.floor(i / 4) === Math.floor(j / 4) ? 0.2 : 1) + 0.01 * (((i + j) * 7) % 5)
    })
    // Labelled tables: the base in order, the aligned features and the matrix in another order (row k: object order[k]).
    const order = [5, 11, 0, 7, 2, 9, 4, 1, 10, 3, 8, 6]
    const rowsOf = (x: Float32Array, rows: number[]) => rows.map((i) => `${names[i]},${Array.from(x.subarray(4 * i, 4 * i + 4)).join(',')}`)
    writeFileSync(join(dir, 'base.csv'), ['name,a,b,c,d', ...rowsOf(base, names.map((_, i) => i))].join('\n'))
    writeFileSync(join(dir, 'aligned-shuffled.csv'), ['name,a,b,c,d', ...rowsOf(aligned, order)].join('\n'))
    writeFileSync(join(dir, 'rdm-shuffled.csv'), [`,${order.map((i) => names[i]).join(',')}`, ...order.map((i) => `${names[i]},${order.map((j) => rdm[i * 12 + j]).join(',')}`)].join('\n'))
    writeFileSync(join(dir, 'rdm.npy'), encodeNpy({ dtype: '<f8', shape: [12, 12], data: rdm }))
    const common = ['--triplets', f('triplets.npy'), '--labels', f('labels.txt'), '--bootstrap', '100', '--json']
    const plain = runCli(['alignet', 'evaluate', '--base', f('base.npy'), '--aligned', f('aligned.npy'), '--rdms', f('rdm.npy'), ...common], env)
    const lined = runCli(['alignet', 'evaluate', '--base', f('base.csv'), '--aligned', f('aligned-shuffled.csv'), '--rdms', f('rdm-shuffled.csv'), ...common], env)
    expect(lined.stderr).toBe('')
    const [one, two] = [JSON.parse(plain.stdout), JSON.parse(lined.stdout)] as { rows: BeforeAfterRow[]; objectsMatchedByName?: boolean }[]
    // The same figures; the RSA row names its file.
    const figures = (rows: BeforeAfterRow[]) => rows.map((row) => ({ ...row, measure: row.measure.replace(/ \(rdm(-shuffled)?\.(npy|csv)\)$/, '') }))
    expect(figures(two!.rows)).toEqual(figures(one!.rows))
    expect(two!.rows.map((row) => row.measure)).toContain('RSA, Spearman (rdm-shuffled.csv)')
    expect(two!.objectsMatchedByName).toBe(true)
    expect(one!.objectsMatchedByName).toBeUndefined()
    const text = runCli(['alignet', 'evaluate', '--base', f('base.csv'), '--aligned', f('aligned-shuffled.csv'), '--labels', f('labels.txt')], env).stdout
    expect(text).toContain("objects put in the base's order by their names")
  })

  it('says what is wrong with the inputs', () => {
    const dir = tmp()
    const f = files(dir)
    writeFileSync(join(dir, 'short.npy'), encodeNpy({ dtype: '<f4', shape: [5, 4], data: new Float32Array(20) }))
    const mismatch = runCli(['alignet', 'evaluate', '--base', f('base.npy'), '--aligned', f('short.npy'), '--labels', f('labels.txt')], env)
    expect(mismatch.code).toBe(1)
    expect(mismatch.stderr).toContain(`${f('base.npy')} has 12 images but ${f('short.npy')} has 5`)
    const nothing = runCli(['alignet', 'evaluate', '--base', f('base.npy'), '--aligned', f('aligned.npy')], env)
    expect(nothing.stderr).toContain('Nothing to evaluate on: give human --triplets, --rdms, or image --labels.')
  })
})
