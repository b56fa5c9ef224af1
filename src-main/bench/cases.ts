// The benchmark cases: each prepares its inputs once and returns the timed computation, which must finish with
// the result in host memory (so GPU work is counted to the end).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs-core'
import { readArray, readTable } from '../files/readers'
import { deriveTriplets } from '../core/data/deriveTriplets'
import { findPython } from './python'
import { pairwiseSimilarity } from '../core/compute/kernels/similarity'
import { tripletGather } from '../core/compute/kernels/tripletGather'
import { inputMatrix, inputTriplets, probeInputs, sposeRows } from './inputs'
import { tripletTermRows } from '../core/probe/objective'
import { PROBE_DEFAULTS, trainProbe } from '../core/probe/train'
import { applyTransform } from '../core/probe/transform'
import { layerOutputs, loadModel } from '../models/model'
import { kmeans } from '../core/alignet/kmeans'
import { rdmFromFeatures } from '../core/metrics/rdm'
import { rdmFromFeaturesOnCores } from '../jobs/rowProductsPool'
import { resampledRsa } from '../jobs/resampledRsa'
import { linearCka } from '../core/metrics/cka'
import type { BackendName } from '../core/compute/backendNames'
import { gwCrossProduct } from '../jobs/gwProductPool'
import { hostSinkhornPool } from '../jobs/sinkhornPool'
import { entropicGw, GW_DEFAULTS } from '../core/gw/entropicGw'
import { uniformMarginal } from '../core/gw/marginals'
import { euclideanDistances, pca } from '../core/maps/representationMap'
import { tsne } from '../core/maps/tsne'
import { saliencyMap } from '../core/attention/saliency'
import { withoutFilterGradients } from '../core/compute/kernels/depthwiseBackpropInput'
import { targetScore } from '../models/attention'
import { inputGradientBackend, prepareStudent } from '../models/student'
import { distill, DISTILL_DEFAULTS } from '../core/alignet/distill'
import { categoryMeans } from '../core/data/categoryMeans'
import { fitTemperature } from '../core/metrics/temperatureFit'
import { perMatrixRsa } from '../core/metrics/perMatrixRsa'

export type Run = () => Promise<ArrayLike<number>>

export interface BenchCase {
  name: string
  /** What the reference runs (bench/reference/cases.py). */
  reference: string
  describe(size: number): string
  /** Full size, and the small size `--quick` uses. */
  sizes: { full: number[]; quick: number[] }
  /** Python modules the reference needs (NumPy by default). */
  referenceModules?: string[]
  /** Run once, without a warm-up run (a whole training). */
  once?: boolean
  /**
   * Largest absolute difference of the checksums for the results to agree (default: 1e-3 relative); null when
   * the two sides compute comparable work but not the same numbers (different weights).
   */
  tolerance?: number | null
  /** The tolerance is relative to the reference's checksum. */
  relative?: boolean
  prepare(size: number): Run
}

const GATHER_OBJECTS = 1854
/** Objects of each subject's RDM in the per-subject RSA case (a Meadows study's size: 44,850 pairs). */
const SUBJECT_OBJECTS = 300
/** Subjects whose RDMs vote in the derive case, as the 92-image data's 16. */
const DERIVE_SUBJECTS = 16
/** THINGS' concepts, each a folder of its images. */
const CONCEPTS = 1854
/** Columns of the features files the file-reading cases read (a ViT's 768 would do; 1152 is SigLIP's). */
const FILE_COLUMNS = 1152

/**
 * The features file both sides of a file-reading case read, written once by the reference script (NumPy's savez,
 * torch.save: the files users have) into the temporary folder, where later runs find it.
 */
function benchFile(kind: 'npz' | 'pt' | 'pkl' | 'txt', rows: number): string {
  const path = join(tmpdir(), `humanalign-bench-${kind === 'txt' ? `${rows}-triplets` : `${rows}x${FILE_COLUMNS}`}.${kind}`)
  if (existsSync(path)) return path
  const script = process.env.HUMANALIGN_BENCH_REFERENCE
  if (!script) throw new Error('HUMANALIGN_BENCH_REFERENCE (the reference script, set by `humanalign bench`) is needed to write the file to read')
  const written = spawnSync(findPython(kind === 'pt' ? ['numpy', 'torch'] : ['numpy']), [script, '--write-file', kind, String(rows), String(FILE_COLUMNS), path], { encoding: 'utf8' })
  if (written.status !== 0 || !existsSync(path)) throw new Error(`the reference script could not write ${path}: ${written.stderr.trim()}`)
  return path
}

/** Triplet similarities on a DNN's scale (0–999, from the triplet index hash), the first (human) pair 150 more similar. */
function temperaturePairs(count: number): Float64Array {
  const pairs = Float64Array.from(inputTriplets(count, 1000))
  for (let t = 0; t < 3 * count; t += 3) pairs[t]! += 150
  return pairs
}

/** Reads the features array of a bench file as the import does. */
const readCase = (kind: 'npz' | 'pt' | 'pkl', rows: number): Run => {
  const path = benchFile(kind, rows)
  return async () => (await readArray(path, 'features')).array.data as Float32Array
}

export const BENCH_CASES: Record<'matmul' | 'cosine' | 'rdm' | 'gather' | 'oddoneout' | 'rsaboot' | 'cka' | 'probe' | 'mobilenet' | 'kmeans' | 'gw' | 'tsne' | 'pca' | 'saliency' | 'distill' | 'readnpz' | 'readpt' | 'readpkl' | 'readtxt' | 'categorymeans' | 'temperature' | 'rsasubjects' | 'derive', BenchCase> = {
  matmul: {
    name: 'matmul',
    reference: 'a @ b',
    describe: (n) => `fp32 matmul ${n}×${n}`,
    sizes: { full: [1854, 4096], quick: [128] },
    prepare(n) {
      const a = tf.tensor2d(inputMatrix(n, n, 0), [n, n])
      const b = tf.tensor2d(inputMatrix(n, n, 1), [n, n])
      return async () => {
        const c = tf.matMul(a, b)
        const data = (await c.data()) as Float32Array
        c.dispose()
        return data
      }
    },
  },
  cosine: {
    name: 'cosine',
    reference: 'normalise rows, y @ y.T',
    describe: (n) => `pairwise cosine similarity ${n}×${n > 256 ? 768 : 64}`,
    sizes: { full: [1854], quick: [200] },
    prepare(n) {
      const p = n > 256 ? 768 : 64
      const x = inputMatrix(n, p, 0)
      return () => pairwiseSimilarity(x, n, p, 'cosine')
    },
  },
  rdm: {
    name: 'rdm',
    reference: '1 − np.corrcoef(X) in float64 (BLAS)',
    describe: (n) => `correlation-distance RDM of ${n} × ${n > 256 ? 768 : 64} features, float64, all cores`,
    sizes: { full: [1854], quick: [200] },
    prepare(n) {
      const p = n > 256 ? 768 : 64
      const x = inputMatrix(n, p, 0)
      return () => rdmFromFeaturesOnCores(x, n, p, 'correlation')
    },
  },
  gather: {
    name: 'gather',
    reference: 'fancy indexing s[t[:,0], t[:,1]] …',
    describe: (count) => `gather of ${count.toLocaleString('en')} triplet similarities from ${GATHER_OBJECTS}×${GATHER_OBJECTS}`,
    sizes: { full: [1_000_000], quick: [10_000] },
    prepare(count) {
      const s = inputMatrix(GATHER_OBJECTS, GATHER_OBJECTS, 0)
      const triplets = { indices: inputTriplets(count, GATHER_OBJECTS), count }
      return () => tripletGather(s, GATHER_OBJECTS, triplets)
    },
  },
  oddoneout: {
    name: 'oddoneout',
    reference: 'S = X @ X.T, gather, argmax',
    describe: (count) => `odd-one-out of ${count.toLocaleString('en')} triplets, ${GATHER_OBJECTS} × ${count > 100_000 ? 768 : 64} features`,
    sizes: { full: [1_000_000], quick: [10_000] },
    prepare(count) {
      const p = count > 100_000 ? 768 : 64
      const x = inputMatrix(GATHER_OBJECTS, p, 0)
      const triplets = { indices: inputTriplets(count, GATHER_OBJECTS), count }
      return async () => {
        const s = await pairwiseSimilarity(x, GATHER_OBJECTS, p, 'dot')
        const pairs = await tripletGather(s, GATHER_OBJECTS, triplets)
        // The model's choice per triplet: which pair is the most similar (0, 1 or 2).
        return Float32Array.from({ length: count }, (_, t) => {
          const [a, b, c] = [pairs[3 * t]!, pairs[3 * t + 1]!, pairs[3 * t + 2]!]
          return a >= b && a >= c ? 0 : b >= c ? 1 : 2
        })
      }
    },
  },
  rsaboot: {
    name: 'rsaboot',
    reference: 'scipy.stats.spearmanr on each bootstrap resample',
    describe: (samples) => `Spearman RSA, ${GATHER_OBJECTS} objects (1.7 M pairs), ${samples} bootstrap resamples, all cores`,
    sizes: { full: [20], quick: [2] },
    prepare(samples) {
      const n = GATHER_OBJECTS
      const a = rdmFromFeatures(inputMatrix(n, 16, 0), n, 16, 'euclidean')
      const b = rdmFromFeatures(inputMatrix(n, 16, 1), n, 16, 'euclidean')
      // The resamples are drawn the same way on both sides (inputTriplets' formula), so the intervals agree.
      return async () => {
        const draws = inputTriplets(Math.ceil((samples * n) / 3), n)
        let at = 0
        const result = await resampledRsa(a, b, n, { method: 'spearman', bootstrap: samples, permutations: 0, random: () => draws[at++]! / n })
        return Float64Array.of(result.ci95![0], result.ci95![1])
      }
    },
  },
  cka: {
    name: 'cka',
    reference: "Kornblith et al.'s gram_linear, center_gram, cka (NumPy)",
    describe: (n) => `linear CKA (biased) of ${n} × ${n > 256 ? 768 : 64} and ${n} × 66 features`,
    sizes: { full: [1854], quick: [200] },
    prepare(n) {
      const p = n > 256 ? 768 : 64
      const x = inputMatrix(n, p, 0)
      const y = inputMatrix(n, 66, 1)
      return async () => Float64Array.of(await linearCka(x, p, y, 66, n))
    },
  },
  probe: {
    name: 'probe',
    reference: "gLocal-style PyTorch loop: X[batch] @ W for each batch's triplets",
    describe: (count) => `affine probe (hard), ${GATHER_OBJECTS} objects × ${count > 5000 ? 768 : 32} features, ${count.toLocaleString('en')} triplets, batch 4096, to early stop`,
    sizes: { full: [10_000], quick: [4000] },
    once: true,
    referenceModules: ['numpy', 'torch'],
    // Float32 on both sides, different summation orders: held-out accuracies within a point.
    tolerance: 0.01,
    prepare(count) {
      const p = count > 5000 ? 768 : 32
      const { x, train, validation, test } = probeInputs(count, GATHER_OBJECTS, p)
      const config = { ...PROBE_DEFAULTS, batchSize: 4096, maxEpochs: 50, patience: 5, shuffle: false }
      return async () => {
        const trained = await trainProbe(x, GATHER_OBJECTS, p, train, validation, config)
        const z = await applyTransform(x, GATHER_OBJECTS, trained.transform)
        const ids = Int32Array.from({ length: test.count }, (_, i) => i)
        const all = Int32Array.from({ length: GATHER_OBJECTS }, (_, i) => i)
        return Float64Array.of(tripletTermRows(z, p, all, test, 1, false, ids).accuracy)
      }
    },
  },
  kmeans: {
    name: 'kmeans',
    reference: "scikit-learn KMeans (k-means++, Lloyd, tol 0: until no label changes, 3 initialisations)",
    describe: (n) => `k-means, ${n.toLocaleString('en')} × ${n > 10_000 ? 768 : 32} features, k = ${n > 10_000 ? 50 : 8}, 3 restarts`,
    sizes: { full: [100_000], quick: [5000] },
    once: true,
    referenceModules: ['numpy', 'sklearn'],
    // Different random draws: the two inertias agree within 1%.
    tolerance: 0.01,
    relative: true,
    prepare(n) {
      const p = n > 10_000 ? 768 : 32
      const x = inputMatrix(n, p, 0)
      return async () => Float64Array.of((await kmeans(x, n, p, { k: n > 10_000 ? 50 : 8, restarts: 3, maxIterations: 300, seed: 0 })).inertia)
    },
  },
  tsne: {
    name: 'tsne',
    reference: "scikit-learn's exact TSNE (perplexity 30, learning rate 'auto', 1,000 iterations) from the same start",
    describe: (n) => `exact t-SNE of the THINGS SPoSE 66-d embedding (${n} objects) to 2-D, 1,000 iterations`,
    sizes: { full: [1000], quick: [200] },
    once: true,
    referenceModules: ['numpy', 'sklearn'],
    // The checksum is the final KL divergence. t-SNE is not convex: from the same start, scikit-learn's P (from float32
    // distances) and ours part after a few hundred iterations and settle in nearby optima (200 objects: ours 0.429,
    // scikit-learn 0.491), so the two agree within 15%.
    tolerance: 0.15,
    relative: true,
    prepare(n) {
      const x = Float32Array.from(sposeRows(n))
      const start = Float64Array.from({ length: 2 * n }, (_, k) => 1e-4 * (k % 2 ? Math.sin(Math.floor(k / 2) * 1.3) : Math.cos(Math.floor(k / 2) * 0.9)))
      return async () => {
        const d = await euclideanDistances(x, n, 66, true)
        return Float64Array.of((await tsne(d, n, start, { perplexity: 30, iterations: 1000 })).kl)
      }
    },
  },
  pca: {
    name: 'pca',
    reference: "scikit-learn's PCA (2 components, full SVD)",
    describe: (n) => `PCA to 2-D of ${n} × ${n > 1000 ? 1280 : 64} features (MobileNetV2's width), with the explained variance`,
    sizes: { full: [1854], quick: [300] },
    referenceModules: ['numpy', 'sklearn'],
    // The checksum is the variance the two axes explain.
    tolerance: 1e-4,
    relative: true,
    prepare(n) {
      const p = n > 1000 ? 1280 : 64
      const x = inputMatrix(n, p, 0)
      return async () => {
        const { explained } = await pca(x, n, p)
        return Float64Array.of(explained![0] + explained![1])
      }
    },
  },
  gw: {
    name: 'gw',
    reference: "POT's entropic_gromov_wasserstein (square loss, float64, plain Sinkhorn)",
    describe: (n) => `entropic GW to convergence at ε = 0.003: THINGS SPoSE 66-d (${n} objects) against a perturbed copy, Euclidean distances scaled to max 1`,
    sizes: { full: [1854], quick: [300] },
    once: true,
    referenceModules: ['numpy', 'scipy', 'ot'],
    // Float32 products and absorbed, warm-started Sinkhorn against POT's float64 plain Sinkhorn: the issue's 1e-3.
    tolerance: 1e-3,
    relative: true,
    prepare(n) {
      const x = sposeRows(n)
      const noise = inputMatrix(n, 66, 0.3)
      const sides = [x, Float64Array.from(x, (v, k) => v + 0.3 * noise[k]!)].map((f) => {
        const c = rdmFromFeatures(f, n, 66, 'euclidean')
        const top = c.reduce((m, v) => Math.max(m, v), 0)
        return { n, c: c.map((v) => v / top), factors: null }
      })
      const uniform = uniformMarginal(n)
      return async () => {
        // The product and the Sinkhorn passes on every core, as NumPy's BLAS uses them.
        const product = await gwCrossProduct(sides[0]!, sides[1]!, tf.getBackend() as BackendName)
        const passes = await hostSinkhornPool(product, n, n)
        try {
          return Float64Array.of((await entropicGw(sides[0]!.c, sides[1]!.c, uniform, uniform, { ...GW_DEFAULTS, epsilon: 0.003, product, ...(passes ? { passes } : {}) })).loss)
        } finally {
          product.dispose()
          passes?.dispose()
        }
      }
    },
  },
  saliency: {
    name: 'saliency',
    reference: "torchvision MobileNetV2 (untrained weights: same architecture and work), input gradient by autograd",
    describe: (images) => `gradient saliency maps of ${images} images of 224 px through MobileNetV2 (one backward pass each), Σ|·| over channels`,
    sizes: { full: [8], quick: [2] },
    once: true,
    referenceModules: ['numpy', 'torch', 'torchvision'],
    // The weights differ: times compare, maps do not.
    tolerance: null,
    prepare(images) {
      const pixels = inputMatrix(images, 224 * 224 * 3, 0).map((v) => (v + 2) / 4)
      const ready = Promise.all([loadModel({ kind: 'builtin', id: 'mobilenet_v2' }), inputGradientBackend(tf.getBackend() as BackendName)])
      return async () => {
        const [model, { backend }] = await ready
        const score = targetScore(model, { kind: 'class', index: 0 })
        const out = new Float32Array(images * 224 * 224)
        for (let i = 0; i < images; i++) {
          const x = tf.tensor4d(pixels.subarray(i * 150528, (i + 1) * 150528), [1, 224, 224, 3])
          const compute = () => saliencyMap('gradient', x as never, score)
          out.set(backend === 'wasm' ? await withoutFilterGradients(compute) : await compute(), i * 224 * 224)
          x.dispose()
        }
        return out
      }
    },
  },
  distill: {
    name: 'distill',
    reference: 'torchvision MobileNetV2 (untrained weights) + a 1024-unit Linear head, the same KL loss, pull toward θ₀ and Adam; batch norm in eval mode',
    describe: (triplets) => `AligNet distillation: 3 steps of ${triplets} triplets (${3 * triplets} images of 224 px) through MobileNetV2 + a 1024-unit head, forward, backward, Adam`,
    sizes: { full: [4], quick: [1] },
    once: true,
    referenceModules: ['numpy', 'torch', 'torchvision'],
    // The weights differ: times compare, losses do not.
    tolerance: null,
    prepare(triplets) {
      const images = 3 * triplets
      const pixels = inputMatrix(images, 224 * 224 * 3, 0).map((v) => (v + 2) / 4)
      const indices = Int32Array.from({ length: images }, (_, i) => i)
      const similarities = Float32Array.from({ length: images }, (_, k) => Math.sin(k))
      return async () => {
        const prepared = await prepareStudent('mobilenet_v2', undefined, 1024, 0, tf.getBackend() as BackendName)
        const batch = async (ids: Int32Array) => {
          const x = new Float32Array(ids.length * 150528)
          ids.forEach((id, i) => x.set(pixels.subarray(id * 150528, (id + 1) * 150528), i * 150528))
          return tf.tensor4d(x, [ids.length, 224, 224, 3])
        }
        const steps = await distill(prepared.student, prepared.pretrained, { indices, similarities, count: triplets }, batch, { ...DISTILL_DEFAULTS, steps: 3, batchSize: triplets, warmupSteps: 1 })
        prepared.student.dispose()
        return Float64Array.from(steps, (s) => s.loss)
      }
    },
  },
  readnpz: {
    name: 'readnpz',
    reference: "np.load(path)['features'] (the member read whole)",
    describe: (rows) => `read a ${rows} × ${FILE_COLUMNS} float32 array from an .npz written by np.savez`,
    sizes: { full: [1854, 30000], quick: [300] },
    prepare: (rows) => readCase('npz', rows),
  },
  readtxt: {
    name: 'readtxt',
    reference: 'np.loadtxt(path, dtype=np.int64)',
    describe: (rows) => `read ${rows.toLocaleString('en')} triplets from a text file (THINGS' trainset.txt layout: three indices a line)`,
    sizes: { full: [4_700_000], quick: [10_000] },
    prepare(rows) {
      const path = benchFile('txt', rows)
      // The checksum (the sum of every number) is taken inside the timed run, not from a copy of the columns: a
      // pass over them costs ours less than a 113 MB copy, and the reference's sum is not timed at all.
      return async () => {
        let sum = 0
        for (const column of (await readTable(path)).columns) {
          const numbers = column.numbers!
          for (let i = 0; i < numbers.length; i++) sum += numbers[i]!
        }
        return Float64Array.of(sum)
      }
    },
  },
  readpkl: {
    name: 'readpkl',
    reference: "pickle.load(f)['features']",
    describe: (rows) => `read a ${rows} × ${FILE_COLUMNS} float32 array (and its ${rows} names) from a pickle.dump file`,
    sizes: { full: [1854, 30000], quick: [300] },
    prepare: (rows) => readCase('pkl', rows),
  },
  readpt: {
    name: 'readpt',
    reference: "torch.load(path)['features']",
    describe: (rows) => `read a ${rows} × ${FILE_COLUMNS} float32 tensor from a torch.save file`,
    sizes: { full: [1854, 30000], quick: [300] },
    referenceModules: ['numpy', 'torch'],
    prepare: (rows) => readCase('pt', rows),
  },
  categorymeans: {
    name: 'categorymeans',
    reference: 'pandas.DataFrame(x).groupby(concept, sort=False).mean()',
    describe: (images) => `features of ${images.toLocaleString('en')} images × ${images > 1000 ? 1280 : 64} averaged over ${CONCEPTS.toLocaleString('en')} concept folders (THINGS' layout)`,
    sizes: { full: [26_107], quick: [3_708] },
    referenceModules: ['numpy', 'pandas'],
    prepare(images) {
      const p = images > 1000 ? 1280 : 64
      const features = { data: inputMatrix(images, p, 0), n: images, p, ids: Array.from({ length: images }, (_, i) => `image ${i}`), name: 'images' }
      // Image i in concept ⌊i·1854/images⌋: contiguous folders of 14 or 15 images, as THINGS' 26,107 are.
      const membership = new Uint8Array(images * CONCEPTS)
      for (let i = 0; i < images; i++) membership[i * CONCEPTS + Math.floor((i * CONCEPTS) / images)] = 1
      const table = { membership, categories: Array.from({ length: CONCEPTS }, (_, c) => `concept ${c}`), names: features.ids, name: 'folders' }
      return async () => categoryMeans(features, table).data
    },
  },
  temperature: {
    name: 'temperature',
    reference: "SciPy's newton on the likelihood's slope in 1/τ, with its curvature (NumPy, vectorised)",
    describe: (count) => `softmax temperature fitted to ${count.toLocaleString('en')} human choices (maximum likelihood)`,
    sizes: { full: [1_000_000], quick: [10_000] },
    referenceModules: ['numpy', 'scipy'],
    // The checksum is τ; both solve to machine precision.
    tolerance: 1e-9,
    relative: true,
    prepare(count) {
      const pairs = temperaturePairs(count)
      return async () => Float64Array.of(fitTemperature(pairs).temperature!)
    },
  },
  rsasubjects: {
    name: 'rsasubjects',
    reference: "scipy.stats.spearmanr with each subject's RDM, their mean and SEM, scipy.stats.wilcoxon(r, alternative='greater')",
    describe: (subjects) => `RSA of one RDM against each of ${subjects} subjects' RDMs of ${SUBJECT_OBJECTS} objects (Spearman, mean ± SEM, signed-rank test)`,
    sizes: { full: [32], quick: [4] },
    referenceModules: ['numpy', 'scipy'],
    prepare(subjects) {
      const model = Float64Array.from(inputMatrix(SUBJECT_OBJECTS, SUBJECT_OBJECTS, 0))
      const matrices = Float64Array.from(inputMatrix(subjects * SUBJECT_OBJECTS, SUBJECT_OBJECTS, 1))
      return async () => {
        const found = perMatrixRsa(model, matrices, subjects, SUBJECT_OBJECTS, 'spearman')
        return Float64Array.of(...found.r.map(Number), found.mean ?? NaN, found.sem ?? NaN, found.signedRank?.p ?? NaN)
      }
    },
  },
  derive: {
    name: 'derive',
    reference: "NumPy, vectorised: each subject's vote per triplet, the votes, the majority pair, each subject against the others' majority",
    describe: (objects) => `every triplet of ${objects} objects from ${DERIVE_SUBJECTS} subjects' RDMs: votes, soft labels, the majority, the noise ceiling`,
    sizes: { full: [300], quick: [40] },
    // The checksum is the noise ceiling, computed alike; the triplets' order and ties are ours alone.
    prepare(objects) {
      const raw = inputMatrix(DERIVE_SUBJECTS * objects, objects, 0)
      const matrices = new Float64Array(raw.length)
      for (let s = 0; s < DERIVE_SUBJECTS; s++) {
        for (let i = 0; i < objects; i++) {
          for (let j = 0; j < objects; j++) {
            const at = (s * objects + i) * objects + j
            matrices[at] = i === j ? 0 : (raw[at]! + raw[(s * objects + j) * objects + i]!) / 2
          }
        }
      }
      return async () => Float64Array.of(deriveTriplets(matrices, DERIVE_SUBJECTS, objects, false).ceiling!)
    },
  },
  mobilenet: {
    name: 'mobilenet',
    reference: 'torchvision MobileNetV2 (untrained weights: same architecture and work), no_grad',
    describe: (images) => `MobileNetV2 inference, ${images} images of 224 px, batch 16, penultimate features`,
    sizes: { full: [128], quick: [16] },
    referenceModules: ['numpy', 'torch', 'torchvision'],
    // The weights differ (nsfwjs's trained backbone, torchvision's untrained one): times compare, outputs do not.
    tolerance: null,
    prepare(images) {
      const pixels = inputMatrix(images, 224 * 224 * 3, 0).map((v) => (v + 2) / 4)
      const loaded = loadModel({ kind: 'builtin', id: 'mobilenet_v2' }).then((model) => layerOutputs(model, ['flatten_1']))
      return async () => {
        const forward = await loaded
        const out = new Float32Array(images * 1280)
        for (let start = 0; start < images; start += 16) {
          const count = Math.min(16, images - start)
          const x = tf.tensor4d(pixels.subarray(start * 150528, (start + count) * 150528), [count, 224, 224, 3])
          const [features] = forward(x)
          x.dispose()
          out.set((await features!.data()) as Float32Array, start * 1280)
          features!.dispose()
        }
        return out
      }
    },
  },
}

export type CaseName = keyof typeof BENCH_CASES

export function isCaseName(value: string): value is CaseName {
  return Object.hasOwn(BENCH_CASES, value)
}

export interface CaseTiming {
  milliseconds: number[]
  checksum: number
}

/** One warm-up run (compilation, uploads), then `repeats` timed runs; or, `once`, a single timed run. */
export async function timeCase(run: Run, repeats: number, once = false): Promise<CaseTiming> {
  let result = once ? [] : await run()
  const milliseconds: number[] = []
  for (let i = 0; i < repeats; i++) {
    const start = performance.now()
    result = await run()
    milliseconds.push(performance.now() - start)
  }
  let checksum = 0
  for (let i = 0; i < result.length; i++) checksum += result[i]!
  return { milliseconds, checksum }
}
