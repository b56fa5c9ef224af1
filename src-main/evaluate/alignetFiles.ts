// `humanalign alignet cluster|sample|label|triplets`: superordinate clusters of a teacher's (transformed)
// features with an elbow sweep, triplets drawn from them, labelled by the teacher in AligNet's .npz layout —
// step by step, or all three in one go (`triplets`).
import { readFileSync } from 'node:fs'
import { readFileBytes } from '../files/npyFile'
import { AppError, fileProblem } from '../api/errors'
import { encodeAlignet } from '../core/alignet/alignetFile'
import { elbow, kmeans } from '../core/alignet/kmeans'
import { labelTriplets, nearestClusters, sampleTriplets, type SamplingMode } from '../core/alignet/sampling'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { decodeNpz, encodeNpz } from '../core/io/npz'
import { encodeNpy } from '../core/io/npy'
import { applyTransform, transformFromArrays } from '../core/probe/transform'
import { outputFolder, writeFileAtomic } from '../store/artifacts'
import { loadFeatures, loadTriplets } from './inputs'

export interface TeacherRequest {
  features: string
  /** A transform.npz (gLocal's layout) applied to the features first. */
  transform?: string
  backend: BackendName | null
}

/** The teacher's representation: the features, transformed when a transform is given. */
async function teacher(request: TeacherRequest): Promise<{ z: Float32Array; n: number; q: number }> {
  const features = await loadFeatures(request.features)
  await chooseBackend({ force: request.backend ?? undefined })
  if (!request.transform) return { z: features.data, n: features.n, q: features.p }
  let t
  try {
    t = transformFromArrays(decodeNpz(readFileBytes(request.transform)))
  } catch (err) {
    throw new AppError('user', `${request.transform}: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (t.p !== features.p) throw new AppError('user', `${request.transform} maps ${t.p} features; ${request.features} has ${features.p}.`)
  return { z: await applyTransform(features.data, features.n, t), n: features.n, q: t.q }
}

/** The cluster sweep's chosen k: the only one, or the elbow of several. */
function chosenK(ks: number[], inertias: number[]): number {
  return ks.length === 1 ? ks[0]! : elbow(ks, inertias)
}

/**
 * `alignet cluster`: the sweep over k, and with `out` the clustering at the chosen k (the elbow, or `k` when one is
 * given) as clusters.npz: labels (n), centroids (k × q), the teacher's space.
 */
export async function alignetCluster(request: TeacherRequest & { ks: number[]; restarts: number; seed: number; miniBatch?: number | null; out?: string }) {
  if (request.out) outputFolder(request.out)
  const { z, n, q } = await teacher(request)
  const bad = request.ks.find((k) => k < 1 || k > n)
  if (bad !== undefined) throw new AppError('user', `k = ${bad} is not between 1 and the ${n} images.`)
  const runs = []
  for (const k of request.ks) runs.push(await kmeans(z, n, q, { k, restarts: request.restarts, maxIterations: 300, seed: request.seed, miniBatch: request.miniBatch ?? null }))
  const inertias = runs.map((r) => r.inertia)
  const k = chosenK(request.ks, inertias)
  const chosen = runs[request.ks.indexOf(k)]!
  if (request.out) {
    writeFileAtomic(request.out, encodeNpz({ labels: { dtype: '<i4', shape: [n], data: chosen.labels }, centroids: { dtype: '<f4', shape: [k, q], data: chosen.centroids } }))
  }
  return { n, dimensions: q, ks: request.ks, inertias, elbow: request.ks.length >= 3 ? elbow(request.ks, inertias) : null, k, sizes: clusterSizes(chosen.labels, k), ...(request.out ? { out: request.out } : {}) }
}

function clusterSizes(labels: Int32Array, k: number): number[] {
  const sizes = new Array<number>(k).fill(0)
  for (const c of labels) sizes[c]!++
  return sizes
}

/** Triplets drawn from a clustering (labels and centroids), as the user's sampling options ask. */
function drawTriplets(labels: Int32Array, centroids: Float32Array, k: number, q: number, options: { mode: SamplingMode; count: number; seed: number }): Int32Array {
  try {
    return sampleTriplets(labels, k, { ...options, ...(options.mode === 'border' ? { nearest: nearestClusters(centroids, k, q) } : {}) })
  } catch (err) {
    throw err instanceof RangeError ? new AppError('user', err.message) : err
  }
}

/** `alignet sample`: triplets (count × 3 image indices, int32 .npy) from a clusters.npz. */
export async function alignetSample(request: { clusters: string; mode: SamplingMode; count: number; seed: number; out: string }) {
  let arrays
  try {
    arrays = decodeNpz(readFileBytes(request.clusters))
  } catch (err) {
    throw fileProblem(err) ?? new AppError('user', `${request.clusters}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const { labels, centroids } = arrays
  if (!labels || !centroids || centroids.shape.length !== 2) throw new AppError('user', `${request.clusters} is not a clusters.npz: it needs 'labels' (n) and 'centroids' (k × q), as alignet cluster --out writes.`)
  const [k, q] = centroids.shape as [number, number]
  const triplets = drawTriplets(Int32Array.from(labels.data as ArrayLike<number>), Float32Array.from(centroids.data as ArrayLike<number>), k, q, request)
  writeFileAtomic(request.out, encodeNpy({ dtype: '<i4', shape: [request.count, 3], data: triplets }))
  return { images: labels.shape[0]!, k, mode: request.mode, count: request.count, out: request.out }
}

/** Image names from a file_names.txt (a line each), or the row numbers. */
function imageNames(path: string | undefined, n: number): string[] {
  const names = path ? readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '') : Array.from({ length: n }, (_, i) => String(i))
  if (names.length !== n) throw new AppError('user', `${path} names ${names.length} images; the features have ${n} rows.`)
  return names
}

/** Labels triplets with the teacher and writes AligNet's layout; the odd one out is last. */
function writeLabelled(z: Float32Array, q: number, triplets: Int32Array, names: string[], out: string) {
  const count = triplets.length / 3
  const { ordered, similarities } = labelTriplets(z, q, triplets)
  writeFileAtomic(out, encodeAlignet({ count, filenames: Array.from(ordered, (i) => names[i]!), similarities, indices: ordered }))
  return ordered
}

/** `alignet label`: the teacher's similarities and odd one out for given triplets, in AligNet's layout. */
export async function alignetLabel(request: TeacherRequest & { triplets: string; fileNames?: string; out: string }) {
  outputFolder(request.out)
  const { z, n, q } = await teacher(request)
  const triplets = await loadTriplets(request.triplets, n, false)
  writeLabelled(z, q, triplets.indices, imageNames(request.fileNames, n), request.out)
  return { images: n, count: triplets.count, out: request.out }
}

/** `alignet triplets`: cluster at k, sample and label in one go. */
export async function alignetTriplets(
  request: TeacherRequest & { k: number; restarts: number; seed: number; miniBatch?: number | null; mode: SamplingMode; count: number; fileNames?: string; out: string },
) {
  const { z, n, q } = await teacher(request)
  if (request.k < 2 || request.k > n) throw new AppError('user', `k = ${request.k} must be between 2 and the ${n} images.`)
  const names = imageNames(request.fileNames, n)
  const clusters = await kmeans(z, n, q, { k: request.k, restarts: request.restarts, maxIterations: 300, seed: request.seed, miniBatch: request.miniBatch ?? null })
  const triplets = drawTriplets(clusters.labels, clusters.centroids, request.k, q, request)
  const ordered = writeLabelled(z, q, triplets, names, request.out)
  // How often the teacher's odd one out is the image drawn from the other cluster (between and border).
  let fromOther = 0
  for (let t = 0; t < request.count; t++) if (ordered[3 * t + 2] === triplets[3 * t + 2]) fromOther++
  const oddOneFromOtherCluster = request.mode === 'within' ? null : fromOther / request.count
  return { n, k: request.k, inertia: clusters.inertia, mode: request.mode, count: request.count, oddOneFromOtherCluster, out: request.out }
}
