// Attention maps as a project job: the maps stored as one artifact, scored against an image set of human maps,
// shown resized; bad input refused before a worker starts.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { readArtifact } from '../../src-main/store/artifacts'
import { attentionView } from '../../src-main/store/attentionView'
import { stateOf, useJobRunner } from '../helpers/jobRunner'
import { EXAMPLES_DIR } from '../helpers/seed'

const setup = useJobRunner()

describe('attention job', () => {
  it('makes Grad-CAM maps of an image set, scores them against human maps, and shows them resized', async () => {
    const ctx = setup()
    const { runner, seen, project, tmp } = ctx
    const photos = join(tmp(), 'photos')
    const human = join(tmp(), 'human')
    mkdirSync(photos)
    mkdirSync(human)
    const files = readdirSync(join(EXAMPLES_DIR, 'langlois25')).filter((f) => f.endsWith('.jpg')).slice(0, 3)
    for (const file of files) {
      copyFileSync(join(EXAMPLES_DIR, 'langlois25', file), join(photos, file))
      // "Human maps": a bright disc in the middle of each image, on black.
      const disc = Buffer.from(Uint8Array.from({ length: 100 * 100 }, (_, p) => (Math.hypot((p % 100) - 50, Math.floor(p / 100) - 50) < 25 ? 255 : 0)))
      await sharp(disc, { raw: { width: 100, height: 100, channels: 1 } }).png().toFile(join(human, file.replace('.jpg', '.png')))
    }
    const imported = async (path: string, name: string) => {
      const job = await stateOf(seen, runner.start({ kind: 'import', dataset: 'images', path, name, measure: 'dissimilarity' }).id)
      expect(job.state, job.error ?? '').toBe('done')
      return (job.result as { datasets: number[] }).datasets[0]!
    }
    const images = await imported(photos, 'photos')
    const humanMaps = await imported(human, 'discs')
    const job = await stateOf(seen, runner.start({ kind: 'attention', images, model: 'mobilenet_v2', method: 'gradcam', samples: 30, sigma: 0.1, seed: 0, humanMaps }).id)
    expect(job.state, job.error ?? '').toBe('done')
    const result = job.result as { layer: string; images: number; run: number; outputs: { maps: string }; scores: { mean: { spearman: number; auc: number; nss: number }; baseline: { spearman: number }; perImage: { image: string }[] } }
    expect(result).toMatchObject({ layer: 'out_relu', images: 3 })
    const maps = readArtifact(project.db, project.dir, result.outputs.maps)
    expect(maps.shape).toEqual([3, 224, 224])
    // Fixation-style human maps (mostly zero): AUC and NSS defined; the same disc for every image, so the baseline
    // equals the mean.
    expect(result.scores.mean.auc).toBeGreaterThan(0)
    expect(result.scores.mean.auc).toBeLessThan(1)
    expect(result.scores.baseline.spearman).toBeCloseTo(result.scores.mean.spearman, 10)
    expect(result.scores.perImage).toHaveLength(3)
    const view = await attentionView(project.db, project.dir, result.run, 32)
    expect(view).toMatchObject({ size: 32, images: 3 })
    expect(view.maps[0]).toHaveLength(32 * 32)
    expect(view.human![0]).toHaveLength(32 * 32)
    expect(Math.max(...view.human![0]!)).toBeCloseTo(1, 2)
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
  })
})
