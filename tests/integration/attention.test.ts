// `humanalign attention`: maps of the bundled Langlois images through MobileNetV2, compared with human maps given
// as an array or as grayscale images, and masking experiments; bad input named.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeNpy, encodeNpy } from '../../src-main/core/io/npy'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const langlois = join(__dirname, '../../resources/examples/langlois25')
const env = { HUMANALIGN_BACKEND: 'wasm' }

function threeImages(): string {
  const dir = join(tmp(), 'images')
  mkdirSync(dir)
  for (const file of readdirSync(langlois).filter((f) => f.endsWith('.jpg')).slice(0, 3)) copyFileSync(join(langlois, file), join(dir, file))
  return dir
}

const json = (args: string[]) => {
  const r = runCli([...args, '--json'], env, 180_000)
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

describe('humanalign attention', () => {
  it('maps, compares and masks: Grad-CAM and gradient maps in [0, 1], a map against itself scores 1, masks keep half', async () => {
    const images = threeImages()
    const out = join(tmp(), 'cam')
    const cam = json(['attention', 'maps', '--images', images, '--method', 'gradcam', '--out', out])
    expect(cam).toMatchObject({ model: 'MobileNetV2', method: 'gradcam', layer: 'out_relu', images: 3, size: [224, 224], backend: 'wasm' })
    expect(cam.targets).toHaveLength(3)
    const maps = decodeNpy(new Uint8Array(readFileSync(join(out, 'maps.npy'))))
    expect(maps.shape).toEqual([3, 224, 224])
    const values = maps.data as Float32Array
    expect(values.reduce((a, b) => Math.min(a, b))).toBe(0)
    expect(values.reduce((a, b) => Math.max(a, b))).toBe(1)
    expect(readFileSync(join(out, 'file_names.txt'), 'utf8').trim().split('\n')).toHaveLength(3)
    expect(readdirSync(join(out, 'overlays'))).toHaveLength(3)

    // The gradient of a given class, on wasm (with the depthwise input gradient we supply).
    const gradient = json(['attention', 'maps', '--images', images, '--method', 'gradient', '--target', 'class:1', '--out', join(tmp(), 'grad')])
    expect(gradient).toMatchObject({ method: 'gradient', targets: [1, 1, 1], backend: 'wasm', note: null })

    // Against itself: every correlation 1, above the baseline of the other images' maps.
    const self = json(['attention', 'compare', '--maps', join(out, 'maps.npy'), '--human', join(out, 'maps.npy')])
    expect(self.mean.spearman).toBeCloseTo(1, 6)
    expect(self.mean.pearson).toBeCloseTo(1, 6)
    expect(self.baseline.spearman).toBeLessThan(self.mean.spearman)
    // Each of the 3 maps matches its own best: p = 2⁻³, the least three images can give.
    expect(self.aboveBaseline.spearman).toBe(1 / 8)
    expect(self.perImage.map((s: { image: string }) => s.image)).toEqual(readFileSync(join(out, 'file_names.txt'), 'utf8').trim().split('\n'))
    // Human maps as grayscale images of another size (resized), and as MATLAB-ordered H × W × N arrays.
    const human = join(tmp(), 'human')
    mkdirSync(human)
    for (let i = 0; i < 3; i++) {
      const map = values.subarray(i * 224 * 224, (i + 1) * 224 * 224)
      await sharp(Buffer.from(Uint8Array.from(map, (v) => Math.round(v * 255))), { raw: { width: 224, height: 224, channels: 1 } }).resize(112, 112).png().toFile(join(human, `${i}.png`))
    }
    const fromImages = json(['attention', 'compare', '--maps', join(out, 'maps.npy'), '--human', human])
    expect(fromImages.mean.spearman).toBeGreaterThan(0.95)
    const hwn = new Float32Array(224 * 224 * 3)
    for (let i = 0; i < 3; i++) for (let p = 0; p < 224 * 224; p++) hwn[p * 3 + i] = values[i * 224 * 224 + p]!
    const matlabOrder = join(tmp(), 'hwn.npy')
    writeFileSync(matlabOrder, encodeNpy({ dtype: '<f4', shape: [224, 224, 3], data: hwn }))
    expect(json(['attention', 'compare', '--maps', join(out, 'maps.npy'), '--human', matlabOrder]).mean.pearson).toBeCloseTo(1, 6)

    // Masks: half the pixels, by the maps and by random maps; the masked images written.
    const masked = join(tmp(), 'masked')
    const mask = json(['attention', 'mask', '--images', images, '--maps', join(out, 'maps.npy'), '--keep', '0.5', '--out', masked])
    expect(mask).toMatchObject({ images: 3, keep: 0.5, fill: 'black' })
    for (const side of [mask.salient, mask.random]) {
      expect(side.agreement).toBeGreaterThanOrEqual(0)
      expect(side.agreement).toBeLessThanOrEqual(1)
      expect(side.similarity).toBeGreaterThan(0)
    }
    expect(readdirSync(join(masked, 'salient'))).toHaveLength(3)
    const { data } = await sharp(join(masked, 'random', readdirSync(join(masked, 'random'))[0]!)).raw().toBuffer({ resolveWithObject: true })
    let black = 0
    for (let p = 0; p < 224 * 224; p++) if (data[3 * p] === 0 && data[3 * p + 1] === 0 && data[3 * p + 2] === 0) black++
    // Half blacked out, and a few pixels that were black already.
    expect(black / (224 * 224)).toBeGreaterThanOrEqual(0.5)
    expect(black / (224 * 224)).toBeLessThan(0.55)
  }, 300_000)

  it('says what is wrong', () => {
    const bad = (args: string[], message: string) => {
      const r = runCli(args, env)
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(message)
    }
    bad(['attention', 'maps', '--images', langlois, '--target', 'dog', '--out', tmp()], '--target dog: use predicted, class:N, or similar:IMAGE[@LAYER].')
    bad(['attention', 'maps', '--images', langlois, '--method', 'lime', '--out', tmp()], '--method lime is not one of gradient, gradientInput, smoothgrad, guided, gradcam.')
    bad(['attention', 'spin'], 'attention spin: use attention maps, attention compare or attention mask.')
    const maps = join(tmp(), 'maps.npy')
    writeFileSync(maps, encodeNpy({ dtype: '<f4', shape: [2, 4, 4], data: new Float32Array(32) }))
    const three = join(tmp(), 'three.npy')
    writeFileSync(three, encodeNpy({ dtype: '<f4', shape: [3, 4, 4], data: new Float32Array(48) }))
    bad(['attention', 'compare', '--maps', maps, '--human', three], 'maps are N × H × W with N = 2, one per image.')
    // A hole in a human map (second map, row 3, column 2) is named, not turned into NaN scores.
    const holes = join(tmp(), 'holes.npy')
    writeFileSync(holes, encodeNpy({ dtype: '<f4', shape: [2, 4, 4], data: Float32Array.from({ length: 32 }, (_, k) => (k === 16 + 2 * 4 + 1 ? Number.NaN : k)) }))
    bad(['attention', 'compare', '--maps', maps, '--human', holes], `${holes} holds NaN in map 2 at row 3, column 2; maps must be numbers everywhere.`)
    bad(['attention', 'compare', '--maps', holes, '--human', maps], `${holes} holds NaN in map 2 at row 3, column 2;`)
    bad(['attention', 'mask', '--images', langlois, '--maps', maps, '--keep', '0'], '--keep 0 is not a fraction between 0 and 1 (both ends excluded')
    expect(existsSync(maps)).toBe(true)
  })
})
