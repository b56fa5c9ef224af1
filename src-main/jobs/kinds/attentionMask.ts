// The masking experiment of an attention run as a job: its images masked by their maps and by random maps keeping
// as many pixels, scored by the model that made the maps; the masked images stored as two image sets.
import { mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { maskImages } from '../../models/attentionFiles'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { imageSetRecord } from './importData'
import { artifact, asFloat32, imageSetFiles } from './projectArrays'

type MaskSpec = Extract<JobSpec, { kind: 'attentionMask' }>

export interface AttentionMaskInput {
  run: { id: number; name: string; model: string; maps: string }
  images: DatasetInfo
}

export async function attentionMask(spec: MaskSpec, input: AttentionMaskInput, ctx: JobContext): Promise<JobOutput> {
  const maps = artifact(ctx, input.run.maps)
  const staging = spec.save ? mkdtempSync(join(tmpdir(), 'humanalign-masked-')) : null
  try {
    const set = imageSetFiles(input.images, ctx.projectDir)
    ctx.progress(0.01, 'Loading the model')
    const r = await maskImages({
      model: input.run.model,
      images: set,
      maps: asFloat32(maps),
      mapShape: maps.shape as [number, number, number],
      keep: spec.keep,
      fill: spec.fill,
      seed: spec.seed,
      out: staging,
      backend: ctx.backend?.name ?? null,
      onProgress: (done, total) => ctx.progress(0.02 + (0.96 * done) / total, `Image ${done} of ${total}`),
      between: () => yieldForCancel(ctx.signal),
    })
    const [, height, width] = maps.shape as [number, number, number]
    const kept = `top ${Math.round(100 * spec.keep)}% kept, ${spec.fill}`
    const names = { salient: `${input.images.name} masked by run ${input.run.id} (${kept})`, random: `${input.images.name} masked at random (${kept})` }
    // Each set's files move to a staging folder of their own, which the runner copies into the project and removes.
    const records = staging
      ? (['salient', 'random'] as const).map((kind) => {
          const own = mkdtempSync(join(tmpdir(), 'humanalign-masked-'))
          rmSync(own, { recursive: true })
          renameSync(join(staging, kind), own)
          // The masked images keep their objects' ids, so they line up with the originals.
          const ids = input.images.meta.ids as string[] | undefined
          const images = r.files.map((file, i) => ({ id: ids?.[i] ?? file.replace(/\.png$/, ''), file, width, height, channels: 3 }))
          return imageSetRecord(names[kind], `attention run ${input.run.id}`, own, images)
        })
      : []
    return {
      result: { model: r.model, images: r.images, keep: r.keep, fill: r.fill, salient: r.salient, random: r.random, perImage: r.perImage, attentionRun: input.run.id, imageSet: input.images.id, imageSets: staging ? [names.salient, names.random] : [] },
      records,
      run: { kind: 'attentionMask', name: `Masking by ${input.run.name} (${kept})`, params: spec },
    }
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true })
  }
}
