// `humanalign attention maps|compare|mask`: saliency maps of a folder of images for a model, their comparison with
// human maps, and masking experiments — on files, written as .npy (maps N × H × W) with file_names.txt and PNG
// overlays beside them.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { AppError } from '../api/errors'
import { resizeMap, scoreImages } from '../core/attention/compareMaps'
import { applyMask, randomMap, topFractionMask, type MaskFill } from '../core/attention/masking'
import { chooseBackend, type BackendName } from '../core/compute/backend'
import { encodeNpy } from '../core/io/npy'
import { readArray } from '../files/readers'
import { mapsOnCores, mapsThreads } from '../jobs/attentionPool'
import { writeFileAtomic } from '../store/artifacts'
import { cosine, embedding, predictedClass } from './attention'
import { preprocess } from './extract'
import { imageList, type ImageList } from '../files/imageList'
import { disposeModel, loadModel } from './model'
import type { MapsWork } from './saliencyMaps'
import { modelSource } from './sources'
import { inputGradientBackend } from './student'

export type { TargetRequest } from './saliencyMaps'

/** What to make (`out` also receives maps.npy and file_names.txt), of which images, where. */
export interface MapsRequest extends MapsWork {
  /** A folder or list file, or the images themselves (a project's image set). */
  images: string | ImageList
  backend: BackendName | null
  /** Helper threads (jobs/attentionPool.ts); by default one per core on the CPU backends, none on a GPU. */
  threads?: number
  onProgress?: (done: number, total: number) => void
  /** Awaited between images (and, in one thread, between SmoothGrad samples): a job yields there for a cancel. */
  between?: () => Promise<void>
}

export async function attentionMaps(request: MapsRequest) {
  const list = typeof request.images === 'string' ? imageList(request.images) : request.images
  const chosen = await chooseBackend({ force: request.backend ?? undefined })
  const { backend, note } = await inputGradientBackend(chosen.name)
  const { model, method, target, layer, samples, sigma, seed, out } = request
  const threads = request.threads ?? mapsThreads(backend, request, list.paths.length)
  let done = 0
  const started = performance.now()
  const part = await mapsOnCores({ model, method, target, layer, samples, sigma, seed, out }, backend, list.paths, threads, {
    onImage: () => request.onProgress?.(++done, list.paths.length),
    between: request.between,
  })
  const seconds = (performance.now() - started) / 1000
  const [height, width] = part.size
  let written: { maps: string; fileNames: string } | null = null
  if (out) {
    mkdirSync(out, { recursive: true })
    written = { maps: join(out, 'maps.npy'), fileNames: join(out, 'file_names.txt') }
    writeFileAtomic(written.maps, encodeNpy({ dtype: '<f4', shape: [list.paths.length, height, width], data: part.maps }))
    writeFileAtomic(written.fileNames, new TextEncoder().encode(`${list.names.join('\n')}\n`))
  }
  return {
    model: part.model,
    method,
    layer: part.layer,
    images: list.paths.length,
    size: [height, width] as [number, number],
    targets: part.targets.length ? part.targets : null,
    samples: method === 'smoothgrad' ? samples : null,
    backend,
    note,
    threads: part.threads,
    seconds,
    imagesPerSecond: list.paths.length / seconds,
    files: written,
    maps: part.maps,
    names: list.names,
  }
}

export interface MaskRequest {
  model: string
  /** A folder or list file, or the images themselves (a project's image set). */
  images: string | ImageList
  /** N × H × W maps (from `attention maps`), in the images' order. */
  maps: Float32Array
  mapShape: [number, number, number]
  keep: number
  fill: MaskFill
  seed: number
  /** Where the masked images go (salient/ and random/, PNG named as the images); null for nowhere. */
  out: string | null
  backend: BackendName | null
  onProgress?: (done: number, total: number) => void
  between?: () => Promise<void>
}

/**
 * Each image masked by its map and by a random map keeping as many pixels: how often the model still predicts the
 * class it predicts for the whole image, and how similar the embeddings stay (cosine at the model's default layer).
 */
export async function maskImages(request: MaskRequest) {
  const list = typeof request.images === 'string' ? imageList(request.images) : request.images
  const [count, height, width] = request.mapShape
  const where = typeof request.images === 'string' ? request.images : 'the image set'
  if (count !== list.paths.length) throw new AppError('user', `The maps are of ${count} images but ${where} has ${list.paths.length}; use the maps made from these images.`)
  await chooseBackend({ force: request.backend ?? undefined })
  const model = await loadModel(modelSource(request.model))
  try {
    if (model.inputSize[0] !== height || model.inputSize[1] !== width) throw new AppError('user', `The maps are ${height} × ${width} but ${model.title} takes ${model.inputSize.join(' × ')} images; make the maps with this model.`)
    const embed = embedding(model, model.defaultLayer)
    const perImage: { image: string; salient: { agree: boolean; similarity: number }; random: { agree: boolean; similarity: number } }[] = []
    const files: string[] = []
    for (const [i, path] of list.paths.entries()) {
      const pixels = await preprocess(path, [height, width])
      const original = tf.tensor4d(pixels, [1, height, width, 3])
      const label = await predictedClass(model, original)
      const base = embed(original)
      const map = request.maps.subarray(i * height * width, (i + 1) * height * width)
      const row = { image: list.names[i]!, salient: { agree: false, similarity: 0 }, random: { agree: false, similarity: 0 } }
      // PNG named as the image; a second image of the same stem (a.jpg beside a.png) gets its position appended.
      const stem = basename(path).replace(/\.[^.]+$/, '')
      const file = files.includes(`${stem}.png`) ? `${stem}-${i + 1}.png` : `${stem}.png`
      for (const [kind, chosen] of [['salient', map], ['random', randomMap(height * width, request.seed + i)]] as const) {
        const masked = applyMask(pixels, topFractionMask(chosen, request.keep), height, width, 3, request.fill)
        const x = tf.tensor4d(masked, [1, height, width, 3])
        const e = embed(x)
        const similarity = cosine(e, base)
        row[kind] = { agree: (await predictedClass(model, x)) === label, similarity: (await similarity.data())[0]! }
        tf.dispose([x, e, similarity])
        if (request.out) {
          mkdirSync(join(request.out, kind), { recursive: true })
          const bytes = Buffer.from(Uint8Array.from(masked, (v) => Math.round(255 * Math.min(1, Math.max(0, v)))))
          writeFileAtomic(join(request.out, kind, file), await sharp(bytes, { raw: { width, height, channels: 3 } }).png().toBuffer())
        }
      }
      tf.dispose([original, base])
      perImage.push(row)
      files.push(file)
      request.onProgress?.(i + 1, list.paths.length)
      await request.between?.()
    }
    const n = list.paths.length
    const mean = (kind: 'salient' | 'random') => ({
      agreement: perImage.filter((r) => r[kind].agree).length / n,
      similarity: perImage.reduce((s, r) => s + r[kind].similarity, 0) / n,
    })
    return { model: model.title, images: n, keep: request.keep, fill: request.fill, salient: mean('salient'), random: mean('random'), perImage, files, out: request.out }
  } finally {
    disposeModel(model)
  }
}

/** Maps (N × H × W) must hold numbers: a NaN or ∞ would make every score of its image NaN. */
function finiteMaps(path: string, values: Float32Array, h: number, w: number): void {
  const at = values.findIndex((v) => !Number.isFinite(v))
  if (at < 0) return
  const [i, y, x] = [Math.floor(at / (h * w)), Math.floor((at % (h * w)) / w), at % w]
  throw new AppError('user', `${path} holds ${values[at]} in map ${i + 1} at row ${y + 1}, column ${x + 1}; maps must be numbers everywhere. Fill the missing values (e.g. with 0) and try again.`)
}

/**
 * Maps from a file — .npy, .npz, .mat or HDF5, N × H × W (or H × W × N, MATLAB's habit, when only the last axis
 * matches the image count) — or from a folder of grayscale images in name order; each resized to H × W.
 */
export async function readMaps(path: string, key: string | undefined, count: number, [height, width]: [number, number]): Promise<Float32Array[]> {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const files = imageList(path).paths
    if (files.length !== count) throw new AppError('user', `${path} holds ${files.length} images but there are ${count} model maps; give one human map per image, in the same order.`)
    return Promise.all(
      files.map(async (file) => {
        const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true })
        const gray = Float32Array.from({ length: info.width * info.height }, (_, p) => data[p * info.channels]! / 255)
        return resizeMap(gray, info.height, info.width, height, width)
      }),
    )
  }
  const { array } = await readArray(path, key)
  let shape = array.shape
  let values = Float32Array.from(array.data as ArrayLike<number>)
  if (shape.length === 2 && count === 1) shape = [1, ...shape]
  if (shape.length === 3 && shape[0] !== count && shape[2] === count) {
    const [h, w, n] = shape as [number, number, number]
    const moved = new Float32Array(values.length)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let i = 0; i < n; i++) moved[(i * h + y) * w + x] = values[(y * w + x) * n + i]!
    values = moved
    shape = [n, h, w]
  }
  if (shape.length !== 3 || shape[0] !== count) throw new AppError('user', `${path} holds an array of shape [${array.shape.join(' × ')}]; maps are N × H × W with N = ${count}, one per image.`)
  const [, h, w] = shape as [number, number, number]
  finiteMaps(path, values, h, w)
  return Array.from({ length: count }, (_, i) => resizeMap(values.subarray(i * h * w, (i + 1) * h * w), h, w, height, width))
}

/** Model maps (N × H × W .npy from `attention maps`) against human maps: per image, the mean, the permutation baseline and the test against it. */
export async function compareFiles(request: { maps: string; human: string; key?: string }) {
  const { array } = await readArray(request.maps)
  if (array.shape.length !== 3) throw new AppError('user', `${request.maps} is [${array.shape.join(' × ')}]; model maps are N × H × W (attention maps writes maps.npy).`)
  const [n, height, width] = array.shape as [number, number, number]
  const data = Float32Array.from(array.data as ArrayLike<number>)
  finiteMaps(request.maps, data, height, width)
  const models = Array.from({ length: n }, (_, i) => data.subarray(i * height * width, (i + 1) * height * width))
  const humans = await readMaps(request.human, request.key, n, [height, width])
  const names = readNames(request.maps, n)
  const { perImage, mean, baseline, aboveBaseline } = scoreImages(models, humans)
  return { images: n, size: [height, width] as [number, number], mean, baseline, aboveBaseline, perImage: perImage.map((s, i) => ({ image: names[i]!, ...s })) }
}

/** The image names written beside maps.npy (file_names.txt), else numbers. */
function readNames(maps: string, n: number): string[] {
  const file = join(dirname(maps), 'file_names.txt')
  const names = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
  return names.length === n ? names : Array.from({ length: n }, (_, i) => `image ${i + 1}`)
}
