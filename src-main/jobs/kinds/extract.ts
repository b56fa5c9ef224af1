// Feature extraction as a job: an image set of the project through a model, one or several layers in one pass,
// each layer becoming a feature set (rows in the image set's order, its ids). Progress in images/s, cancel
// between batches, and a checkpoint of the rows done every few seconds so an interrupted run continues.
import { join } from 'node:path'
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { extractFeatures } from '../../models/extract'
import { disposeModel, loadModel } from '../../models/model'
import { modelSource } from '../../models/sources'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'

type ExtractSpec = Extract<JobSpec, { kind: 'extract' }>

const CHECKPOINT_SECONDS = 5

export async function extract(spec: ExtractSpec, images: DatasetInfo, ctx: JobContext): Promise<JobOutput> {
  ctx.progress(0.01, `Loading ${spec.model}`)
  const model = await loadModel(modelSource(spec.model))
  const files = images.meta.files as string[]
  const ids = images.meta.ids as string[]
  const paths = files.map((f) => join(ctx.projectDir, String(images.meta.folder), f))
  const restored = ctx.restored
  const start = restored ? (restored.state as { next: number }).next : 0
  const previous = restored ? new Map(spec.layers.map((layer, k) => [layer, restored.arrays[`layer${k}`]!.data as Float32Array])) : undefined
  const started = performance.now()
  let lastCheckpoint = started
  try {
    const features = await extractFeatures(model, paths, {
      layers: spec.layers,
      pooling: spec.pooling,
      batchSize: spec.batchSize,
      start,
      previous,
      progress: async (done, total, rows) => {
        const rate = (done - start) / ((performance.now() - started) / 1000)
        ctx.progress(done / total, `${done} of ${total} images, ${rate.toFixed(1)} images/s`)
        if (done < total && (performance.now() - lastCheckpoint) / 1000 >= CHECKPOINT_SECONDS) {
          ctx.checkpoint({ next: done }, Object.fromEntries(rows.map((r, k) => [`layer${k}`, { dtype: '<f4' as const, shape: [total, r.p], data: r.data }])))
          lastCheckpoint = performance.now()
        }
        await yieldForCancel(ctx.signal)
      },
    })
    const seconds = (performance.now() - started) / 1000
    const outputs = Object.fromEntries(features.map((f, k) => [`layer${k}`, { dtype: '<f4' as const, shape: [paths.length, f.p], data: f.data }]))
    return {
      result: { model: model.id, images: images.name, n: paths.length, layers: features.map((f) => ({ layer: f.layer, p: f.p, pooling: f.pooling })), seconds, imagesPerSecond: (paths.length - start) / seconds, backend: ctx.backend?.name ?? null },
      outputs,
      records: features.map((f, k) => ({
        kind: 'features' as const,
        name: `${model.title} ${f.layer} · ${images.name}`,
        sourcePath: `extracted from ${images.name}`,
        output: `layer${k}`,
        meta: { n: paths.length, p: f.p, ids, model: model.id, layer: f.layer, pooling: f.pooling, images: images.name },
      })),
    }
  } finally {
    disposeModel(model)
  }
}
