import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeNpy } from '../../src-main/core/io/npy'
import { runCli } from '../helpers/cli'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const env = { HUMANALIGN_BACKEND: 'wasm' }
const langlois = join(__dirname, '../../resources/examples/langlois25')
const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/models/mobilenet_v2_reference.json'), 'utf8')) as { images: { name: string; dense_3: number[] }[] }

describe('humanalign models and extract', () => {
  it('lists the built-in models and one model’s layers', () => {
    const list = JSON.parse(runCli(['models', '--json']).stdout)
    expect(list.models.map((m: { id: string }) => m.id)).toEqual(['mobilenet_v2', 'inception_v3'])
    const mobilenet = runCli(['models', 'mobilenet_v2'])
    expect(mobilenet.stdout).toMatch(/^MobileNetV2: layers-model, input 224 × 224, 2,619,461 parameters \(2,279,365 trainable\); default layer flatten_1/)
    expect(mobilenet.stdout).toMatch(/ {2}flatten_1 +Flatten +\[1280\] +0/)
    expect(mobilenet.stdout).toContain('\npreprocessing: shorter side resized to 224 px, centre crop 224 × 224, RGB scaled to [0, 1]\n')
  })

  it('writes the features of a list of images from two layers, with file_names.txt in row order', () => {
    const dir = tmp()
    const list = join(dir, 'list.txt')
    writeFileSync(list, `${reference.images.map((i) => join(langlois, i.name)).join('\n')}\n`)
    const out = join(dir, 'out', 'features.npy')
    const r = runCli(['extract', '--images', list, '--layer', 'flatten_1,dense_3', '--out', out, '--json'], env)
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout)
    expect(result).toMatchObject({ model: 'mobilenet_v2', images: 2, inputSize: [224, 224], skipped: [], backend: 'wasm' })
    expect(result.files.map((f: { path: string; shape: number[] }) => [f.path, f.shape])).toEqual([
      [join(dir, 'out', 'features_flatten_1.npy'), [2, 1280]],
      [join(dir, 'out', 'features_dense_3.npy'), [2, 5]],
    ])
    const head = decodeNpy(new Uint8Array(readFileSync(join(dir, 'out', 'features_dense_3.npy'))))
    reference.images.forEach((img, i) => img.dense_3.forEach((v, d) => expect((head.data as Float32Array)[i * 5 + d]).toBeCloseTo(v, 4)))
    expect(readFileSync(join(dir, 'out', 'file_names.txt'), 'utf8').trim().split('\n')).toEqual(reference.images.map((i) => join(langlois, i.name)))
  }, 60_000)

  it('stops at an unreadable image unless told to skip it, and names what is wrong', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'a.jpg'), readFileSync(join(langlois, 'image_r_10.jpg')))
    writeFileSync(join(dir, 'b.png'), 'not a png')
    const out = join(dir, 'features.npy')
    const stopped = runCli(['extract', '--images', dir, '--out', out], env)
    expect(stopped.code).toBe(1)
    expect(stopped.stderr).toContain(`${join(dir, 'b.png')} cannot be read as an image`)
    expect(existsSync(out)).toBe(false)
    const skipped = runCli(['extract', '--images', dir, '--out', out, '--skip-unreadable'], env)
    expect(skipped.code).toBe(0)
    expect(skipped.stdout).toMatch(/^skipped b\.png: .*cannot be read as an image/)
    expect(decodeNpy(new Uint8Array(readFileSync(out))).shape).toEqual([1, 1280])
    expect(readFileSync(join(dir, 'file_names.txt'), 'utf8')).toBe('a.jpg\n')
    expect(runCli(['extract', '--images', dir, '--out', out, '--layer', 'fc7'], env).stderr).toContain('MobileNetV2 has no layer fc7.')
    expect(runCli(['extract', '--images', join(dir, 'missing'), '--out', out], env).stderr).toContain('does not exist; give a folder of images or a text file listing them.')
    expect(runCli(['extract', '--model', 'vgg', '--images', dir, '--out', out], env).stderr).toContain('vgg is neither a built-in model')
  }, 60_000)

  it('averages the features of each subfolder’s images (THINGS’ concepts) with --mean-per-folder', () => {
    const dir = tmp()
    const images = join(dir, 'object_images')
    const layout: [string, string][] = [['cat/cat_01.jpg', 'image_r_10.jpg'], ['cat/cat_02.jpg', 'image_r_18.jpg'], ['dog/dog_01.jpg', 'image_r_24.jpg'], ['loose.jpg', 'image_r_32.jpg']]
    for (const [to, from] of layout) {
      mkdirSync(join(images, dirname(to)), { recursive: true })
      copyFileSync(join(langlois, from), join(images, to))
    }
    writeFileSync(join(images, 'dog', 'dog_02.png'), 'not a png')
    const each = runCli(['extract', '--images', images, '--out', join(dir, 'each', 'features.npy'), '--skip-unreadable', '--json'], env)
    expect(each.code, each.stderr).toBe(0)
    const r = runCli(['extract', '--images', images, '--out', join(dir, 'means', 'features.npy'), '--skip-unreadable', '--mean-per-folder'], env)
    expect(r.stderr).toBe('')
    expect(r.stdout).toContain('  the mean of each of 2 folders (1–2 images each; 1 image outside any folder left out)\n')
    // Each folder's row is the mean of its images' rows (the unreadable one skipped), in float64.
    const perImage = decodeNpy(new Uint8Array(readFileSync(join(dir, 'each', 'features.npy'))))
    const rows = readFileSync(join(dir, 'each', 'file_names.txt'), 'utf8').trim().split('\n')
    expect(rows).toEqual(['cat/cat_01.jpg', 'cat/cat_02.jpg', 'dog/dog_01.jpg', 'loose.jpg'])
    const row = (i: number) => Array.from((perImage.data as Float32Array).subarray(i * 1280, (i + 1) * 1280))
    const expected = [row(0).map((v, d) => Math.fround((v + row(1)[d]!) / 2)), row(2)]
    const means = decodeNpy(new Uint8Array(readFileSync(join(dir, 'means', 'features.npy'))))
    expect(means.shape).toEqual([2, 1280])
    expect(Array.from(means.data as Float32Array)).toEqual(expected.flat())
    expect(readFileSync(join(dir, 'means', 'file_names.txt'), 'utf8')).toBe('cat\ndog\n')
    // Without subfolders there is nothing to average over, and nothing is extracted.
    const flat = runCli(['extract', '--images', langlois, '--out', join(dir, 'flat', 'features.npy'), '--mean-per-folder'], env)
    expect(flat.stderr).toContain(`--mean-per-folder averages the images of each subfolder, but the images of ${langlois} are not in two or more subfolders.`)
    expect(existsSync(join(dir, 'flat'))).toBe(false)
  }, 60_000)
})
