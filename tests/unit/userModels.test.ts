// Models of the user's, from a folder: a TF.js layers model saved by tfjs itself, and a hand-written graph model.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { extractFeatures, preprocess } from '../../src-main/models/extract'
import { disposeModel, loadModel } from '../../src-main/models/model'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()

beforeAll(async () => {
  await chooseBackend({ force: 'cpu' })
})

/** Writes model.json and one weight file the way tensorflowjs_converter lays them out. */
function writeModel(dir: string, artifacts: tf.io.ModelArtifacts): void {
  const weights = new Uint8Array(artifacts.weightData as ArrayBuffer)
  writeFileSync(join(dir, 'group1-shard1of1.bin'), weights)
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({ format: artifacts.format, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }] }),
  )
}

async function image(dir: string): Promise<string> {
  const path = join(dir, 'gradient.png')
  const pixels = Buffer.from(Array.from({ length: 8 * 8 * 3 }, (_, k) => (k * 7) % 256))
  await sharp(pixels, { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(path)
  return path
}

describe('user models from a folder', () => {
  it('loads a layers model saved by tfjs and extracts a named layer', async () => {
    const dir = tmp()
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 1, name: 'mix', kernelInitializer: 'ones', biasInitializer: 'zeros' }),
        tf.layers.globalAveragePooling2d({ name: 'pool' }),
        tf.layers.dense({ units: 1, name: 'out', kernelInitializer: 'ones' }),
      ],
    })
    await model.save(tf.io.withSaveHandler(async (artifacts) => (writeModel(dir, { ...artifacts, format: 'layers-model' }), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })))
    const loaded = await loadModel({ kind: 'folder', path: dir })
    try {
      expect(loaded).toMatchObject({ format: 'layers-model', inputSize: [8, 8], defaultLayer: 'pool', parameters: 3 * 2 + 2 + 2 + 1 })
      expect(loaded.layers.map((l) => [l.name, l.outputShape])).toEqual([['mix', [8, 8, 2]], ['pool', [2]], ['out', [1]]])
      const path = await image(tmp())
      const [mix] = (await extractFeatures(loaded, [path], { layers: ['mix'], batchSize: 1 })).layers
      // A 1×1 conv with ones sums the channels; averaged over positions: the mean pixel's channel sum.
      const pixels = await preprocess(path, [8, 8])
      const expected = pixels.reduce((a, b) => a + b, 0) / 64
      expect(mix!.pooling).toBe('average')
      expect(mix!.data[0]).toBeCloseTo(expected, 5)
      expect(mix!.data[1]).toBeCloseTo(expected, 5)
    } finally {
      disposeModel(loaded)
      model.dispose()
    }
  })

  it('loads a graph model and extracts a node by name', async () => {
    const dir = tmp()
    const axes = new Int32Array([1, 2])
    const node = (name: string, op: string, input: string[], attr: Record<string, unknown>) => ({ name, op, input, attr })
    const artifacts: tf.io.ModelArtifacts = {
      format: 'graph-model',
      modelTopology: {
        node: [
          node('image', 'Placeholder', [], { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '8' }, { size: '8' }, { size: '3' }] } } }),
          node('axes', 'Const', [], { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] } } } }),
          node('mean', 'Mean', ['image', 'axes'], { T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } }),
        ],
        versions: { producer: 1 },
      },
      weightSpecs: [{ name: 'axes', shape: [2], dtype: 'int32' }],
      weightData: axes.buffer,
    }
    writeModel(dir, artifacts)
    const loaded = await loadModel({ kind: 'folder', path: dir })
    try {
      expect(loaded).toMatchObject({ format: 'graph-model', inputSize: [8, 8], layers: [{ name: 'mean', className: 'Mean' }] })
      const path = await image(tmp())
      const [mean] = (await extractFeatures(loaded, [path], { layers: ['mean'], batchSize: 1 })).layers
      const pixels = await preprocess(path, [8, 8])
      for (let c = 0; c < 3; c++) {
        const channel = pixels.filter((_, k) => k % 3 === c).reduce((a, b) => a + b, 0) / 64
        expect(mean!.data[c]).toBeCloseTo(channel, 5)
      }
    } finally {
      disposeModel(loaded)
    }
  })
})
