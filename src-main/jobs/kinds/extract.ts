// Feature extraction as a job: an image set of the project through a model, one or several layers in one pass,
// each layer becoming a feature set (rows in the image set's order, its ids). Progress in images/s, cancel
// between batches, and a checkpoint of the rows done every few seconds so an interrupted run continues.
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { extractFeatures, type SkippedImage } from '../../models/extract'
import { defaultBatchSize, disposeModel, loadModel } from '../../models/model'
import { modelSource } from '../../models/sources'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { imageSetFiles } from './projectArrays'

type ExtractSpec = Extract<JobSpec, { kind: 'extract' }>

export async function extract(spec: ExtractSpec, images: DatasetInfo, ctx: JobContext): Promise<JobOutput> {
  ctx.progress(0.01, `Loading ${spec.model}`)
  const model = await loadModel(modelSource(spec.model))
  const files = images.meta.files as string[]
  const ids = images.meta.ids as string[]
  const { paths } = imageSetFiles(images, ctx.projectDir)
  const restored = ctx.restored
  const state = restored ? (restored.state as { next: number; skipped: SkippedImage[] }) : null
  const start = state?.next ?? 0
  const previous = restored ? new Map(spec.layers.map((layer, k) => [layer, restored.arrays[`layer${k}`]!.data as Float32Array])) : undefined
  const batchSize = spec.batchSize ?? defaultBatchSize(model)
  const started = performance.now()
  let lastCheckpoint = started
  try {
    const { layers: features, kept, skipped } = await extractFeatures(model, paths, {
      layers: spec.layers,
      pooling: spec.pooling,
      batchSize,
      onBadImage: spec.onBadImage,
      skipped: state?.skipped,
      start,
      previous,
      progress: async (done, total, rows, skippedSoFar) => {
        const rate = (done - start) / ((performance.now() - started) / 1000)
        ctx.progress(done / total, `${done} of ${total} images, ${rate.toFixed(1)} images/s`)
        if (done < total && (performance.now() - lastCheckpoint) / 1000 >= spec.checkpointSeconds) {
          ctx.checkpoint({ next: done, skipped: skippedSoFar }, Object.fromEntries(rows.map((r, k) => [`layer${k}`, { dtype: '<f4' as const, shape: [total, r.p], data: r.data }])))
          lastCheckpoint = performance.now()
        }
        await yieldForCancel(ctx.signal)
      },
    })
    const seconds = (performance.now() - started) / 1000
    const n = kept.length
    const outputs = Object.fromEntries(features.map((f, k) => [`layer${k}`, { dtype: '<f4' as const, shape: [n, f.p], data: f.data }]))
    return {
      result: {
        model: model.id,
        images: images.name,
        n,
        layers: features.map((f) => ({ layer: f.layer, p: f.p, pooling: f.pooling })),
        skipped: skipped.map((s) => ({ file: files[s.index], reason: s.reason })),
        batchSize,
        seconds,
        imagesPerSecond: (paths.length - start) / seconds,
        backend: ctx.backend?.name ?? null,
      },
      outputs,
      records: features.map((f, k) => ({
        kind: 'features' as const,
        name: `${model.title} ${f.layer} · ${images.name}`,
        sourcePath: `extracted from ${images.name}`,
        output: `layer${k}`,
        meta: { n, p: f.p, ids: kept.map((i) => ids[i]), model: model.id, layer: f.layer, pooling: f.pooling, images: images.name },
      })),
    }
  } finally {
    disposeModel(model)
  }
}
