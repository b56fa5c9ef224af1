// Attention maps as a project job: the maps stored as one artifact, scored against human maps (an image set or a
// file), shown resized; the masking experiment as a job; bad input refused before a worker starts.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { randomMap, topFractionMask } from '../../src-main/core/attention/masking'
import { encodeNpy } from '../../src-main/core/io/npy'
import { attentionMaps } from '../../src-main/models/attentionFiles'
import { preprocess } from '../../src-main/models/extract'
import { readArtifact } from '../../src-main/store/artifacts'
import { attentionView } from '../../src-main/store/attentionView'
import { getDataset, listDatasets } from '../../src-main/store/datasets'
import { stateOf, useJobRunner } from '../helpers/jobRunner'
import { EXAMPLES_DIR } from '../helpers/seed'
import { useSwiftShader } from '../helpers/swiftshader'
import { saveTinyModel } from '../helpers/tinyModel'

const setup = useJobRunner()
const onWebGpu = useJobRunner('webgpu')

/** Three Langlois photos and, as "human maps", a bright disc in the middle of each, on black (PNG and as one .npy). */
async function photosAndDiscs({ runner, seen, tmp }: ReturnType<typeof setup>) {
  const photos = join(tmp(), 'photos')
  const human = join(tmp(), 'human')
  mkdirSync(photos)
  mkdirSync(human)
  const files = readdirSync(join(EXAMPLES_DIR, 'langlois25')).filter((f) => f.endsWith('.jpg')).slice(0, 3)
  const disc = Uint8Array.from({ length: 100 * 100 }, (_, p) => (Math.hypot((p % 100) - 50, Math.floor(p / 100) - 50) < 25 ? 255 : 0))
  for (const file of files) {
    copyFileSync(join(EXAMPLES_DIR, 'langlois25', file), join(photos, file))
    await sharp(Buffer.from(disc), { raw: { width: 100, height: 100, channels: 1 } }).png().toFile(join(human, file.replace('.jpg', '.png')))
  }
  // The same maps as MATLAB keeps them, H × W × N.
  const npy = join(tmp(), 'human_maps.npy')
  writeFileSync(npy, encodeNpy({ dtype: '<f8', shape: [100, 100, 3], data: Float64Array.from({ length: 100 * 100 * 3 }, (_, k) => disc[Math.floor(k / 3)]! / 255) }))
  const imported = async (path: string, name: string) => {
    const job = await stateOf(seen, runner.start({ kind: 'import', dataset: 'images', path, name, measure: 'dissimilarity' }).id)
    expect(job.state, job.error ?? '').toBe('done')
    return (job.result as { datasets: number[] }).datasets[0]!
  }
  return { images: await imported(photos, 'photos'), humanMaps: await imported(human, 'discs'), npy, photos, files }
}

interface AttentionJobResult {
  layer: string
  images: number
  run: number
  outputs: { maps: string; human?: string }
  scores: { mean: { spearman: number; auc: number; nss: number }; baseline: { spearman: number }; perImage: { image: string; spearman: number }[] }
}

describe('attention job', () => {
  it('makes Grad-CAM maps of an image set, scores them against human maps (an image set or a file), and shows them resized', async () => {
    const ctx = setup()
    const { runner, seen, project } = ctx
    const { images, humanMaps, npy } = await photosAndDiscs(ctx)
    const spec = { kind: 'attention' as const, images, model: 'mobilenet_v2', method: 'gradcam' as const, samples: 30, sigma: 0.1, seed: 0 }
    const job = await stateOf(seen, runner.start({ ...spec, humanMaps }).id)
    expect(job.state, job.error ?? '').toBe('done')
    const result = job.result as AttentionJobResult
    expect(result).toMatchObject({ layer: 'out_relu', images: 3 })
    const maps = readArtifact(project.db, project.dir, result.outputs.maps)
    expect(maps.shape).toEqual([3, 224, 224])
    // Fixation-style human maps (mostly zero): AUC and NSS defined; the same disc for every image, so the baseline
    // equals the mean.
    expect(result.scores.mean.auc).toBeGreaterThan(0)
    expect(result.scores.mean.auc).toBeLessThan(1)
    expect(result.scores.baseline.spearman).toBeCloseTo(result.scores.mean.spearman, 10)
    expect(result.scores.perImage).toHaveLength(3)
    const view = attentionView(project.db, project.dir, result.run, 32)
    expect(view).toMatchObject({ size: 32, images: 3 })
    expect(view.maps[0]).toHaveLength(32 * 32)
    expect(view.human![0]).toHaveLength(32 * 32)
    expect(Math.max(...view.human![0]!)).toBeCloseTo(1, 2)

    // The same discs from a MATLAB-ordered .npy file score the same, and are shown from the run after the file is gone.
    const fromFile = await stateOf(seen, runner.start({ ...spec, humanMapsFile: npy }).id)
    expect(fromFile.state, fromFile.error ?? '').toBe('done')
    const second = fromFile.result as AttentionJobResult
    second.scores.perImage.forEach((s, i) => expect(s.spearman).toBeCloseTo(result.scores.perImage[i]!.spearman, 10))
    expect(second.scores.mean.nss).toBeCloseTo(result.scores.mean.nss, 10)
    rmSync(npy)
    expect(attentionView(project.db, project.dir, second.run, 32).human).toEqual(view.human)
  }, 120_000)

  it('makes the same SmoothGrad maps and masking results on webgpu (SwiftShader) as on wasm', async () => {
    // A GPU run found attention failing on webgpu in Node (synchronous reads of the predicted class); a 16-px model
    // keeps this quick there.
    useSwiftShader()
    const model = join(setup().tmp(), 'tiny')
    await saveTinyModel(model)
    const runs = []
    for (const ctx of [setup(), onWebGpu()]) {
      const { images } = await photosAndDiscs(ctx)
      const made = await stateOf(ctx.seen, ctx.runner.start({ kind: 'attention', images, model, method: 'smoothgrad', samples: 4, sigma: 0.1, seed: 2 }).id)
      expect(made.state, made.error ?? '').toBe('done')
      const attention = made.result as AttentionJobResult & { backend: string }
      const masked = await stateOf(ctx.seen, ctx.runner.start({ kind: 'attentionMask', run: attention.run, keep: 0.5, fill: 'black', seed: 4, save: false }).id)
      expect(masked.state, masked.error ?? '').toBe('done')
      runs.push({ backend: attention.backend, maps: readArtifact(ctx.project.db, ctx.project.dir, attention.outputs.maps).data, mask: masked.result as { salient: { similarity: number }; random: { similarity: number } } })
    }
    const [wasm, gpu] = runs
    expect([wasm!.backend, gpu!.backend]).toEqual(['wasm', 'webgpu'])
    expect(gpu!.maps).toHaveLength(3 * 16 * 16)
    gpu!.maps.forEach((v, k) => expect(Number(v)).toBeCloseTo(Number(wasm!.maps[k]), 3))
    expect(gpu!.mask.salient.similarity).toBeCloseTo(wasm!.mask.salient.similarity, 4)
    expect(gpu!.mask.random.similarity).toBeCloseTo(wasm!.mask.random.similarity, 4)
  }, 120_000)

  it('explains the similarity to an image’s embedding, as the same maps made directly, and refuses two targets', async () => {
    const ctx = setup()
    const model = join(ctx.tmp(), 'tiny')
    await saveTinyModel(model)
    const { images, photos, files } = await photosAndDiscs(ctx)
    const reference = join(photos, files[1]!)
    const base = { kind: 'attention' as const, images, model, method: 'gradient' as const, samples: 1, sigma: 0.1, seed: 0 }
    const made = await stateOf(ctx.seen, ctx.runner.start({ ...base, targetImage: reference, targetLayer: 'pool' }).id)
    expect(made.state, made.error ?? '').toBe('done')
    const result = made.result as AttentionJobResult & { similarTo: string; targets: number[] | null }
    expect(result.similarTo).toBe(files[1])
    expect(result.targets).toBeNull()
    const maps = readArtifact(ctx.project.db, ctx.project.dir, result.outputs.maps).data as Float32Array
    const direct = await attentionMaps({ model, images: photos, method: 'gradient', target: { kind: 'similar', image: reference, layer: 'pool' }, samples: 1, sigma: 0.1, seed: 0, out: null, backend: 'wasm' })
    expect(maps).toHaveLength(3 * 16 * 16)
    maps.forEach((v, k) => expect(v).toBeCloseTo(direct.maps[k]!, 5))
    // Not the maps of the predicted class.
    const byClass = await stateOf(ctx.seen, ctx.runner.start(base).id)
    const classMaps = readArtifact(ctx.project.db, ctx.project.dir, (byClass.result as AttentionJobResult).outputs.maps).data as Float32Array
    expect(Math.max(...Array.from(maps, (v, k) => Math.abs(v - classMaps[k]!)))).toBeGreaterThan(0.05)
    expect(() => ctx.runner.start({ ...base, targetClass: 1, targetImage: reference })).toThrow('Explain a class or the similarity to an image, not both.')
    const missing = join(photos, 'none.jpg')
    expect(() => ctx.runner.start({ ...base, targetImage: missing })).toThrow(`${missing} does not exist; give the image whose embedding the maps explain the similarity to.`)
  }, 120_000)

  it('masks the images by their maps and by random maps, keeping exactly the top half, and stores both as image sets', async () => {
    const ctx = setup()
    const { runner, seen, project } = ctx
    const { images, photos, files } = await photosAndDiscs(ctx)
    const made = await stateOf(seen, runner.start({ kind: 'attention', images, model: 'mobilenet_v2', method: 'gradcam', samples: 30, sigma: 0.1, seed: 0 }).id)
    const attention = made.result as AttentionJobResult
    const job = await stateOf(seen, runner.start({ kind: 'attentionMask', run: attention.run, keep: 0.5, fill: 'black', seed: 4, save: true }).id)
    expect(job.state, job.error ?? '').toBe('done')
    const result = job.result as { images: number; salient: { agreement: number; similarity: number }; random: { agreement: number; similarity: number }; perImage: unknown[]; imageSets: string[] }
    expect(result.images).toBe(3)
    expect(result.perImage).toHaveLength(3)
    for (const side of [result.salient, result.random]) {
      expect(side.agreement).toBeGreaterThanOrEqual(0)
      expect(side.agreement).toBeLessThanOrEqual(1)
      expect(side.similarity).toBeGreaterThan(0)
      expect(side.similarity).toBeLessThan(1)
    }
    const sets = listDatasets(project.db).filter((d) => d.kind === 'images' && result.imageSets.includes(d.name)).map((d) => getDataset(project.db, d.id)!)
    expect(sets).toHaveLength(2)
    const maps = readArtifact(project.db, project.dir, attention.outputs.maps).data as Float32Array
    const n = 224 * 224
    for (const set of sets) {
      const random = set.name.includes('at random')
      expect(set.meta.ids).toEqual(files.map((f) => f.replace('.jpg', '')))
      for (const i of [0, 2]) {
        const mask = topFractionMask(random ? randomMap(n, 4 + i) : maps.subarray(i * n, (i + 1) * n), 0.5)
        expect(mask.reduce((s, m) => s + m, 0)).toBe(n / 2)
        const original = await preprocess(join(photos, files[i]!), [224, 224])
        const { data } = await sharp(join(project.dir, String(set.meta.folder), (set.meta.files as string[])[i]!)).raw().toBuffer({ resolveWithObject: true })
        // Kept pixels are the image's (to the PNG's 8 bits), the others black.
        for (let p = 0; p < n; p += 97) {
          for (let c = 0; c < 3; c++) expect(data[p * 3 + c]).toBe(mask[p] ? Math.round(255 * original[p * 3 + c]!) : 0)
        }
      }
    }
  }, 120_000)

  it('refuses human maps of another count and an unknown model before a worker starts', async () => {
    const { runner, seen, tmp } = setup()
    const one = join(tmp(), 'one')
    const two = join(tmp(), 'two')
    mkdirSync(one)
    mkdirSync(two)
    const files = readdirSync(join(EXAMPLES_DIR, 'langlois25')).filter((f) => f.endsWith('.jpg'))
    copyFileSync(join(EXAMPLES_DIR, 'langlois25', files[0]!), join(one, files[0]!))
    for (const f of files.slice(0, 2)) copyFileSync(join(EXAMPLES_DIR, 'langlois25', f), join(two, f))
    const a = ((await stateOf(seen, runner.start({ kind: 'import', dataset: 'images', path: one, name: 'one', measure: 'dissimilarity' }).id)).result as { datasets: number[] }).datasets[0]!
    const b = ((await stateOf(seen, runner.start({ kind: 'import', dataset: 'images', path: two, name: 'two', measure: 'dissimilarity' }).id)).result as { datasets: number[] }).datasets[0]!
    const spec = { kind: 'attention' as const, images: a, model: 'mobilenet_v2', method: 'gradcam' as const, samples: 30, sigma: 0.1, seed: 0 }
    expect(() => runner.start({ ...spec, humanMaps: b })).toThrow('"two" holds 2 maps but "one" has 1 images; give one human map per image.')
    expect(() => runner.start({ ...spec, model: 'resnet_9000' })).toThrow('resnet_9000')
    expect(() => runner.start({ ...spec, humanMapsFile: join(one, 'nowhere.mat') })).toThrow(`${join(one, 'nowhere.mat')} does not exist; give a .npy, .npz, .mat or .h5 file of human maps.`)
    expect(() => runner.start({ ...spec, humanMaps: a, humanMapsFile: join(one, files[0]!) })).toThrow('Give the human maps as an image set or as a file, not both.')
    expect(() => runner.start({ kind: 'attentionMask', run: 99, keep: 0.5, fill: 'black', seed: 0, save: true })).toThrow('There is no run 99 in this project.')
  })
})
