import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { batchSizeFor, defaultPooling, poolInto, pooledSize } from '../../src-main/core/models/pooling'
import { extractFeatures, preprocess } from '../../src-main/models/extract'
import { disposeModel, loadModel, type LoadedModel } from '../../src-main/models/model'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const images = join(__dirname, '../../resources/examples/langlois25')
const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/models/mobilenet_v2_reference.json'), 'utf8')) as {
  images: { name: string; pixelsSha256: string; flatten_1: number[]; dense_3: number[] }[]
}
let model: LoadedModel

beforeAll(async () => {
  await chooseBackend({ force: 'cpu' })
  model = await loadModel({ kind: 'builtin', id: 'mobilenet_v2' })
}, 60_000)
afterAll(() => disposeModel(model))

describe('the bundled MobileNetV2', () => {
  it('loads from the nsfwjs package on disk with its layers, shapes and parameters', () => {
    expect(model).toMatchObject({ id: 'mobilenet_v2', format: 'layers-model', inputSize: [224, 224], defaultLayer: 'flatten_1' })
    expect(model.layers.find((l) => l.name === 'flatten_1')).toMatchObject({ className: 'Flatten', outputShape: [1280], parameters: 0 })
    expect(model.layers.find((l) => l.name === 'out_relu')!.outputShape).toEqual([7, 7, 1280])
    expect(model.layers.find((l) => l.name === 'dense_3')).toMatchObject({ outputShape: [5], parameters: 128 * 5 + 5 })
    expect(model.parameters).toBe(model.layers.reduce((s, l) => s + l.parameters, 0))
  })

  it('extracts the outputs nsfwjs’s own predict gives for fixed images, in one pass, whatever the batch size', async () => {
    const paths = reference.images.map((i) => join(images, i.name))
    for (const [k, path] of paths.entries()) {
      const pixels = await preprocess(path, [224, 224])
      const bytes = Uint8Array.from(pixels, (v) => Math.round(v * 255))
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(reference.images[k]!.pixelsSha256)
    }
    for (const batchSize of [1, 2]) {
      const [features, head] = (await extractFeatures(model, paths, { layers: ['flatten_1', 'dense_3'], batchSize })).layers
      expect(features).toMatchObject({ layer: 'flatten_1', p: 1280, pooling: null })
      reference.images.forEach((r, i) => {
        const ours = features!.data.subarray(i * 1280, (i + 1) * 1280)
        const worst = Math.max(...r.flatten_1.map((v, d) => Math.abs(v - ours[d]!)))
        expect(worst).toBeLessThan(1e-4)
        r.dense_3.forEach((v, d) => expect(head!.data[i * 5 + d]).toBeCloseTo(v, 5))
      })
    }
  }, 60_000)

  it('averages a conv map to the penultimate features, and repeats itself exactly', async () => {
    const path = [join(images, reference.images[0]!.name)]
    const [pooled] = (await extractFeatures(model, path, { layers: ['out_relu'], batchSize: 1 })).layers
    // out_relu → 7×7 average pooling → flatten is the model's own penultimate vector.
    expect(pooled).toMatchObject({ p: 1280, pooling: 'average' })
    reference.images[0]!.flatten_1.forEach((v, d) => expect(pooled!.data[d]).toBeCloseTo(v, 4))
    const [again] = (await extractFeatures(model, path, { layers: ['out_relu'], batchSize: 1 })).layers
    expect(again!.data).toEqual(pooled!.data)
  }, 60_000)

  it('names a missing layer and an unreadable image', async () => {
    await expect(extractFeatures(model, [join(images, 'image_r_10.jpg')], { layers: ['fc7'], batchSize: 1 })).rejects.toThrow(/MobileNetV2 has no layer fc7\. Its layers: Conv1_pad, Conv1, /)
    const broken = join(tmp(), 'broken.jpg')
    writeFileSync(broken, 'not a jpeg')
    await expect(extractFeatures(model, [broken], { layers: ['flatten_1'], batchSize: 1 })).rejects.toThrow(`${broken} cannot be read as an image`)
    // Or, as the user chose, left out and reported: the good images keep their rows, in order.
    const good = reference.images.map((i) => join(images, i.name))
    const mixed = await extractFeatures(model, [good[0]!, broken, good[1]!], { layers: ['dense_3'], batchSize: 2, onBadImage: 'skip' })
    expect(mixed.kept).toEqual([0, 2])
    expect(mixed.skipped).toEqual([{ index: 1, path: broken, reason: expect.stringContaining(`${broken} cannot be read as an image`) }])
    expect(mixed.layers[0]!.data).toHaveLength(10)
    reference.images.forEach((r, i) => r.dense_3.forEach((v, d) => expect(mixed.layers[0]!.data[i * 5 + d]).toBeCloseTo(v, 5)))
  })

  it('says which weight file of a user model is missing', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }] }))
    await expect(loadModel({ kind: 'folder', path: dir })).rejects.toThrow(`${join(dir, 'model.json')} lists the weight file group1-shard1of1.bin, which is missing beside it.`)
    await expect(loadModel({ kind: 'folder', path: tmp() })).rejects.toThrow('no model.json there')
  })
})

describe('pooling', () => {
  // Two images, a 2×2 map with 3 channels: values 100·image + 10·position + channel.
  const shape = [2, 2, 3]
  const data = Float32Array.from({ length: 24 }, (_, k) => 100 * Math.floor(k / 12) + 10 * Math.floor((k % 12) / 3) + (k % 3))
  it.each([
    ['average', [15, 16, 17, 115, 116, 117]],
    ['cls', [0, 1, 2, 100, 101, 102]],
    ['flatten', Array.from(data)],
  ] as const)('%s', (pooling, expected) => {
    const out = new Float32Array(2 * pooledSize(shape, pooling))
    poolInto(data, 2, shape, pooling, out, 0)
    expect(Array.from(out)).toEqual(expected)
  })
})

describe('default pooling', () => {
  it('averages maps and takes the mean token of sequences', () => {
    expect([defaultPooling(3), defaultPooling(2)]).toEqual(['average', 'mean'])
  })
})

describe('batch size', () => {
  it('fits three copies of the largest layer output per image into the memory given, between 1 and 64', () => {
    const shapes = [[112, 112, 96], [7, 7, 1280], [1280]]
    // 112·112·96 floats = 4.8 MB per image, ×3 = 14.5 MB.
    expect(batchSizeFor(shapes, 100e6)).toBe(6)
    expect(batchSizeFor(shapes, 2 ** 30)).toBe(64)
    expect(batchSizeFor(shapes, 1e6)).toBe(1)
    expect(batchSizeFor([[null, 3]], 1e6)).toBe(64)
  })
})
