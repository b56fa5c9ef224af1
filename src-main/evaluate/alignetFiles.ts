// `humanalign alignet`: superordinate clusters of a teacher's (transformed) features with an elbow sweep, and
// synthetic triplets drawn from them, labelled by the teacher and written in AligNet's .npz layout.
import { readFileSync } from 'node:fs'
import { AppError } from '../api/errors'
import { encodeAlignet } from '../core/alignet/alignetFile'
import { elbow, kmeans } from '../core/alignet/kmeans'
import { labelTriplets, nearestClusters, sampleTriplets, type SamplingMode } from '../core/alignet/sampling'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { decodeNpz } from '../core/io/npz'
import { applyTransform, transformFromArrays } from '../core/probe/transform'
import { writeFileAtomic } from '../store/artifacts'
import { loadFeatures } from './inputs'

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
    t = transformFromArrays(decodeNpz(new Uint8Array(readFileSync(request.transform))))
  } catch (err) {
    throw new AppError('user', `${request.transform}: ${err instanceof Error ? err.message : String(err)}`)
  }
  if (t.p !== features.p) throw new AppError('user', `${request.transform} maps ${t.p} features; ${request.features} has ${features.p}.`)
  return { z: await applyTransform(features.data, features.n, t), n: features.n, q: t.q }
}

export async function clusterSweep(request: TeacherRequest & { ks: number[]; restarts: number; seed: number }) {
  const { z, n, q } = await teacher(request)
  const bad = request.ks.find((k) => k < 1 || k > n)
  if (bad !== undefined) throw new AppError('user', `k = ${bad} is not between 1 and the ${n} images.`)
  const inertias: number[] = []
  for (const k of request.ks) inertias.push((await kmeans(z, n, q, { k, restarts: request.restarts, maxIterations: 300, seed: request.seed })).inertia)
  return { n, dimensions: q, ks: request.ks, inertias, elbow: elbow(request.ks, inertias) }
}

export async function alignetTriplets(
  request: TeacherRequest & { k: number; restarts: number; seed: number; mode: SamplingMode; count: number; fileNames?: string; out: string },
) {
  const { z, n, q } = await teacher(request)
  if (request.k < 2 || request.k > n) throw new AppError('user', `k = ${request.k} must be between 2 and the ${n} images.`)
  const names = request.fileNames ? readFileSync(request.fileNames, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '') : Array.from({ length: n }, (_, i) => String(i))
  if (names.length !== n) throw new AppError('user', `${request.fileNames} names ${names.length} images; the features have ${n} rows.`)
  const clusters = await kmeans(z, n, q, { k: request.k, restarts: request.restarts, maxIterations: 300, seed: request.seed })
  let triplets: Int32Array
  try {
    triplets = sampleTriplets(clusters.labels, request.k, {
      mode: request.mode,
      count: request.count,
      seed: request.seed,
      ...(request.mode === 'border' ? { nearest: nearestClusters(clusters.centroids, request.k, q) } : {}),
    })
  } catch (err) {
    throw err instanceof RangeError ? new AppError('user', err.message) : err
  }
  const { ordered, similarities } = labelTriplets(z, q, triplets)
  writeFileAtomic(request.out, encodeAlignet({ count: request.count, filenames: Array.from(ordered, (i) => names[i]!), similarities, indices: ordered }))
  // How often the teacher's odd one out is the image drawn from the other cluster (between and border).
  let fromOther = 0
  for (let t = 0; t < request.count; t++) if (ordered[3 * t + 2] === triplets[3 * t + 2]) fromOther++
  const oddOneFromOtherCluster = request.mode === 'within' ? null : fromOther / request.count
  return { n, k: request.k, inertia: clusters.inertia, mode: request.mode, count: request.count, oddOneFromOtherCluster, out: request.out }
}
