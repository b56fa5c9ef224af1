// Feature extraction as a job on a project's image set: feature sets with the images' ids, progress in images/s,
// resume after a crash from the checkpointed rows, cancel, and unreadable images skipped when asked.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AppEvent } from '../../src-main/api/contract'
import { decodeNpy } from '../../src-main/core/io/npy'
import { insertDataset, getDataset } from '../../src-main/store/datasets'
import { crashAndResume, stateOf, useJobRunner } from '../helpers/jobRunner'
import { EXAMPLES_DIR } from '../helpers/seed'

const setup = useJobRunner()
const langlois = join(EXAMPLES_DIR, 'langlois25')
const FILES = ['image_r_10.jpg', 'image_r_18.jpg', 'image_r_24.jpg', 'image_r_32.jpg', 'image_r_37.jpg', 'image_r_51.jpg']

/** An image set of the project (as an import leaves it), optionally with a damaged file among the images. */
function imageSet(project: ReturnType<typeof setup>['project'], damaged = false): number {
  const folder = join(project.dir, 'images', 'six')
  mkdirSync(folder, { recursive: true })
  FILES.forEach((f) => copyFileSync(join(langlois, f), join(folder, f)))
  if (damaged) writeFileSync(join(folder, FILES[2]!), 'not an image')
  return insertDataset(project.db, { kind: 'images', name: 'six', sourcePath: langlois, meta: { n: 6, folder: 'images/six', files: FILES, ids: FILES.map((f) => f.replace('.jpg', '')) } }, null)
}

function features(project: ReturnType<typeof setup>['project'], id: number): Float32Array {
  const dataset = getDataset(project.db, id)!
  return decodeNpy(new Uint8Array(readFileSync(join(project.dir, 'artifacts', `${dataset.artifact}.npy`)))).data as Float32Array
}

const progressStages = (seen: AppEvent[], id: number) => seen.flatMap((e) => (e.type === 'job.progress' && e.jobId === id ? [e.progress.stage] : []))

describe('extract job', () => {
  it('makes a feature set per layer with the images’ ids, reports images/s, and resumes after a crash to the same features', async () => {
    const { project, runner, seen } = setup()
    const images = imageSet(project)
    const spec = { kind: 'extract' as const, images, model: 'mobilenet_v2', layers: ['flatten_1', 'dense_3'], batchSize: 2, onBadImage: 'abort' as const, checkpointSeconds: 0 }
    const whole = await stateOf(seen, runner.start(spec).id)
    expect(whole).toMatchObject({ state: 'done', result: { n: 6, layers: [{ layer: 'flatten_1', p: 1280 }, { layer: 'dense_3', p: 5 }], skipped: [] } })
    expect(progressStages(seen, whole.id).at(-1)).toMatch(/^6 of 6 images, \d+\.\d images\/s$/)
    const [flatId, headId] = (whole.result as { datasets: number[] }).datasets
    expect(getDataset(project.db, flatId!)).toMatchObject({ kind: 'features', name: 'MobileNetV2 flatten_1 · six', shape: [6, 1280], meta: { ids: FILES.map((f) => f.replace('.jpg', '')), model: 'mobilenet_v2', layer: 'flatten_1' } })
    expect(getDataset(project.db, headId!)!.shape).toEqual([6, 5])

    const resumed = await crashAndResume(runner, seen, spec)
    expect(resumed.state).toBe('done')
    // It continued from the checkpointed rows: its first report is past the first batch.
    expect(progressStages(seen, resumed.id).find((s) => / of 6 images/.test(s))).toMatch(/^[46] of 6 images/)
    const again = (resumed.result as { datasets: number[] }).datasets[0]!
    expect(Array.from(features(project, again))).toEqual(Array.from(features(project, flatId!)))
  }, 120_000)

  it('stops at an unreadable image, or leaves it out and says so', async () => {
    const { project, runner, seen } = setup()
    const images = imageSet(project, true)
    const spec = { kind: 'extract' as const, images, model: 'mobilenet_v2', layers: ['dense_3'], batchSize: 4, onBadImage: 'abort' as const, checkpointSeconds: 5 }
    const stopped = await stateOf(seen, runner.start(spec).id)
    expect(stopped.state).toBe('failed')
    expect(stopped.error).toContain(`${FILES[2]} cannot be read as an image`)
    const skipped = await stateOf(seen, runner.start({ ...spec, onBadImage: 'skip' }).id)
    expect(skipped.result).toMatchObject({ n: 5, skipped: [{ file: FILES[2], reason: expect.stringContaining('cannot be read as an image') }] })
    const id = (skipped.result as { datasets: number[] }).datasets[0]!
    expect(getDataset(project.db, id)).toMatchObject({ shape: [5, 5], meta: { ids: FILES.filter((_, i) => i !== 2).map((f) => f.replace('.jpg', '')) } })
    expect(() => runner.start({ ...spec, model: 'resnet_999' })).toThrow('resnet_999 is neither a built-in model (mobilenet_v2, inception_v3) nor a folder with a model.json.')
  }, 120_000)
})
