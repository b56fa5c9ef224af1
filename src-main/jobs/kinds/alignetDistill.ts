// AligNet's distillation as a project job (DESIGN §4): a student (a model of the registry cut at a layer, plus a
// triplet head) fine-tuned on teacher-labelled triplets of the project, whose objects are the images of an image
// set. Loss and divergence stream per step; the weights and Adam's state are checkpointed, so a stopped run
// continues where it was; the trained student is stored in the project and added to its model list.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { AppError } from '../../api/errors'
import { distill, type DistillState } from '../../core/alignet/distill'
import { disposeModel } from '../../models/model'
import { augmentation, imageBatches, meanDivergence, prepareStudent, saveStudent } from '../../models/student'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { artifact, asFloat32, imageSetFiles } from './projectArrays'

type DistillSpec = Extract<JobSpec, { kind: 'alignetDistill' }>

export interface DistillInput {
  triplets: DatasetInfo
  images: DatasetInfo
}

/** The divergences of the first steps, kept for the result's "first → last" across a resume. */
const WINDOW = 10

/** The image file of each object of the triplets: matched by id, or by position when the triplets carry no ids. */
export function objectImages(triplets: DatasetInfo, images: DatasetInfo): number[] {
  const objects = Number(triplets.meta.objects)
  const imageIds = images.meta.ids as string[]
  const ids = Array.isArray(triplets.meta.ids) ? (triplets.meta.ids as string[]) : null
  if (!ids) {
    if (objects !== imageIds.length) throw new AppError('user', `"${triplets.name}" has ${objects} objects and no names for them; "${images.name}" has ${imageIds.length} images. Choose the image set the triplets were made from.`)
    return imageIds.map((_, i) => i)
  }
  const at = new Map(imageIds.map((id, i) => [id, i]))
  const missing = ids.filter((id) => !at.has(id))
  if (missing.length) throw new AppError('user', `${missing.length} of the ${ids.length} objects of "${triplets.name}" are not images of "${images.name}" (the first: ${missing[0]}). Choose the image set the teacher's features were extracted from.`)
  return ids.map((id) => at.get(id)!)
}

export async function alignetDistill(spec: DistillSpec, input: DistillInput, ctx: JobContext): Promise<JobOutput> {
  const { triplets, images } = input
  if (!triplets.meta.teacherSimilarities) throw new AppError('user', `"${triplets.name}" has no teacher similarities to distil; sample AligNet triplets (step 2) or import an AligNet .npz.`)
  const imageOf = objectImages(triplets, images)
  ctx.progress(0.01, `Loading ${spec.model}`)
  const indices = artifact(ctx, triplets.artifact).data as Int32Array
  const similarities = asFloat32(artifact(ctx, triplets.meta.teacherSimilarities))
  const all = imageSetFiles(images, ctx.projectDir).paths
  const paths = imageOf.map((i) => all[i]!)
  const config = { ...spec }
  const prepared = await prepareStudent(spec.model, spec.layer, spec.headUnits, spec.seed, ctx.backend?.name ?? 'cpu')
  const restored = ctx.restored ? (ctx.restored.state as { step: number; first: number[] }) : null
  const resume: DistillState | null = restored && ctx.restored ? { step: restored.step, arrays: ctx.restored.arrays } : null
  const first = restored?.first ?? []
  const last: number[] = []
  const started = performance.now()
  let lastCheckpoint = started
  const staging = mkdtempSync(join(tmpdir(), 'humanalign-student-'))
  try {
    await distill(prepared.student, prepared.pretrained, { indices, similarities, count: indices.length / 3 }, imageBatches(paths, prepared.model.inputSize, augmentation(spec.augment, spec.seed)), config, {
      step: async (report, capture) => {
        if (first.length < WINDOW) first.push(report.divergence)
        last.push(report.divergence)
        if (last.length > WINDOW) last.shift()
        ctx.metric('loss', report.step, report.loss)
        ctx.metric('divergence', report.step, report.divergence)
        const done = report.step - (resume?.step ?? 0)
        const rate = done / ((performance.now() - started) / 1000)
        ctx.progress(0.02 + (0.95 * report.step) / spec.steps, `step ${report.step} of ${spec.steps}, ${rate.toFixed(2)} steps/s`)
        if (report.step < spec.steps && (performance.now() - lastCheckpoint) / 1000 >= spec.checkpointSeconds) {
          const state = await capture()
          ctx.checkpoint({ step: state.step, first }, state.arrays)
          lastCheckpoint = performance.now()
        }
        await yieldForCancel(ctx.signal)
      },
    }, resume)
    ctx.progress(0.98, 'Saving the student')
    await saveStudent(prepared.student, staging, 'HumanAlign AligNet distillation job')
    // A user model's title is its folder; the folder's name reads better.
    const backbone = basename(prepared.model.title)
    const title = spec.name ?? `${backbone} aligned on ${triplets.name}`
    return {
      result: {
        model: prepared.model.title,
        layer: prepared.layer,
        backend: prepared.backend,
        note: prepared.note,
        triplets: triplets.name,
        images: images.name,
        steps: spec.steps,
        resumedAt: resume?.step ?? null,
        divergenceFirst: meanDivergence(first),
        divergenceLast: meanDivergence(last),
        seconds: (performance.now() - started) / 1000,
        student: title,
      },
      models: [{ staging, title, description: `AligNet student: ${backbone} cut at ${prepared.layer} with a ${spec.headUnits ?? 'no'}-unit triplet head, distilled (${spec.divergence}, ${spec.steps} steps of ${spec.batchSize}) on "${triplets.name}".` }],
      run: { kind: 'alignetDistill', name: `AligNet student: ${title}`, params: spec },
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true })
    throw err
  } finally {
    disposeModel(prepared.model)
  }
}
