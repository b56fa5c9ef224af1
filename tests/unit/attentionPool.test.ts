// Saliency maps on several threads: the same maps as in one thread, images shared out in order, progress per
// image, a cancel that stops the helpers, a helper's error reported as the user's problem where it is one.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../src-main/api/errors'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { mapsOnCores, mapsThreads, shareOut, threadsPerHelper } from '../../src-main/jobs/attentionPool'
import type { MapsWork } from '../../src-main/models/saliencyMaps'
import { inputGradientBackend } from '../../src-main/models/student'
import { EXAMPLES_DIR, WORKER_DIR } from '../helpers/seed'
import { saveTinyModel } from '../helpers/tinyModel'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const workerFile = join(WORKER_DIR, 'attentionWorker.js')
const GiB = 2 ** 30

/** Five Langlois photos and the 16-px test model. */
async function photosAndModel() {
  const dir = tmp()
  const model = join(dir, 'tiny')
  await saveTinyModel(model)
  mkdirSync(join(dir, 'photos'))
  const paths = readdirSync(join(EXAMPLES_DIR, 'langlois25'))
    .filter((f) => f.endsWith('.jpg'))
    .slice(0, 5)
    .map((f) => {
      copyFileSync(join(EXAMPLES_DIR, 'langlois25', f), join(dir, 'photos', f))
      return join(dir, 'photos', f)
    })
  return { dir, model, paths }
}

describe('saliency maps on several threads', () => {
  it('shares the images out in consecutive runs, as even as can be', () => {
    expect(shareOut(25, 2)).toEqual([[0, 12], [12, 25]])
    expect(shareOut(5, 3)).toEqual([[0, 1], [1, 3], [3, 5]])
    expect(shareOut(4, 4)).toEqual([[0, 1], [1, 2], [2, 3], [3, 4]])
  })

  it('uses helpers only on a CPU backend, and no more than the cores, images, memory and passes allow', () => {
    const smooth = { method: 'smoothgrad' as const, samples: 30 }
    const gradient = { method: 'gradient' as const, samples: 30 }
    expect(mapsThreads('wasm', smooth, 25, 2, 16 * GiB)).toBe(2)
    expect(mapsThreads('wasm', smooth, 25, 8, 16 * GiB)).toBe(8)
    expect(mapsThreads('webgpu', smooth, 25, 8, 16 * GiB)).toBe(1)
    expect(mapsThreads('tensorflow', smooth, 25, 8, 16 * GiB)).toBe(1)
    // Memory for two helpers of 1.2 GiB, not three.
    expect(mapsThreads('cpu', smooth, 25, 8, 3 * GiB)).toBe(2)
    expect(mapsThreads('wasm', smooth, 1, 8, 16 * GiB)).toBe(1)
    // One pass an image: 21 gradient maps do not pay for a second helper's start, 60 do.
    expect(mapsThreads('wasm', gradient, 21, 2, 16 * GiB)).toBe(1)
    expect(mapsThreads('wasm', gradient, 60, 2, 16 * GiB)).toBe(2)
  })

  it('gives each helper its share of the cores for its backend’s own threads', () => {
    expect(threadsPerHelper(2, 2)).toBe(1)
    expect(threadsPerHelper(3, 2)).toBe(1)
    // Two helpers where memory allows no more, on eight cores: four threads each.
    expect(threadsPerHelper(2, 8)).toBe(4)
    expect(threadsPerHelper(3, 8)).toBe(2)
    // tfjs-wasm's threaded build takes at most 8.
    expect(threadsPerHelper(2, 64)).toBe(8)
  })

  it('makes the same maps on two and three helpers as in this thread, to the bit, in the images’ order', async () => {
    const { model, paths } = await photosAndModel()
    const work: MapsWork = { model, method: 'smoothgrad', target: { kind: 'predicted' }, samples: 4, sigma: 0.1, seed: 7, out: null }
    await chooseBackend({ force: 'wasm' })
    await inputGradientBackend('wasm')
    const here = await mapsOnCores(work, 'wasm', paths, 1, {}, workerFile)
    expect(here.threads).toBe(1)
    expect(here.maps).toHaveLength(5 * 16 * 16)
    for (const threads of [2, 3]) {
      let images = 0
      const shared = await mapsOnCores(work, 'wasm', paths, threads, { onImage: () => images++ }, workerFile)
      expect(shared.threads).toBe(threads)
      expect(images).toBe(5)
      expect(shared.targets).toEqual(here.targets)
      expect(shared.size).toEqual([16, 16])
      expect(Array.from(shared.maps)).toEqual(Array.from(here.maps))
    }
    // The maps differ from image to image (so the order is checked, not five copies of one map).
    expect(Array.from(here.maps.subarray(0, 256))).not.toEqual(Array.from(here.maps.subarray(256, 512)))
  }, 60_000)

  it('stops its helpers when a cancel arrives between images', async () => {
    const { model, paths } = await photosAndModel()
    const work: MapsWork = { model, method: 'smoothgrad', target: { kind: 'predicted' }, samples: 200, sigma: 0.1, seed: 1, out: null }
    let images = 0
    const started = performance.now()
    const run = mapsOnCores(work, 'wasm', paths, 2, {
      onImage: () => images++,
      between: async () => {
        throw new Error('cancelled')
      },
    }, workerFile)
    await expect(run).rejects.toThrow('cancelled')
    expect(images).toBe(1)
    expect(performance.now() - started).toBeLessThan(20_000)
  }, 30_000)

  it('reports an unreadable image as the user’s to fix, and a helper’s crash as an internal error', async () => {
    const { dir, model, paths } = await photosAndModel()
    const broken = join(dir, 'photos', 'broken.jpg')
    writeFileSync(broken, 'not a jpeg')
    const work: MapsWork = { model, method: 'gradient', target: { kind: 'predicted' }, samples: 1, sigma: 0.1, seed: 0, out: null }
    const unreadable = mapsOnCores(work, 'wasm', [...paths, broken], 2, {}, workerFile)
    await expect(unreadable).rejects.toBeInstanceOf(AppError)
    await expect(unreadable).rejects.toThrow(`${broken} cannot be read as an image`)
    const missingModel = mapsOnCores({ ...work, model: join(dir, 'nothing-here') }, 'wasm', paths, 2, {}, workerFile)
    await expect(missingModel).rejects.toThrow(/nothing-here/)
  }, 60_000)
})
