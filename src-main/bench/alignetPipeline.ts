// The AligNet pipeline end to end on bundled data, as the AligNet page runs it: the 92 images and the 16 subjects'
// judgments; teacher = a soft probe on MobileNetV2 features fitted to subjects 1–8's triplets; clusters,
// teacher-labelled triplets, a distilled MobileNetV2 student, its features, and base against aligned on the human
// data held out: subjects 9–16's triplets and RDMs, which neither teacher nor student saw. One sequence of jobs for
// the integration test (wasm, within the 10 minutes) and the measured run on a GPU machine (bench/gpuApp.ts).
import { join } from 'node:path'
import type { JobInfo } from '../api/contract'
import type { BeforeAfterRow } from '../api/beforeAfterTable'
import { BUILTIN_MODELS } from '../models/sources'

export type FinishedJob = JobInfo & { result: Record<string, unknown> }
/** Starts a job spec and resolves with the job once it has ended (done, failed or cancelled). */
export type RunJob = (spec: Record<string, unknown>) => Promise<FinishedJob>

export interface PipelineReport {
  seconds: number
  /** Each job's kind and wall time, in order. */
  steps: { kind: string; seconds: number }[]
  distilled: FinishedJob
  rows: BeforeAfterRow[]
}

/** Runs the pipeline; a job that does not end `done` stops it with that job's error. */
export async function alignetPipeline(start: RunJob, examplesDir: string): Promise<PipelineReport> {
  const began = performance.now()
  const steps: PipelineReport['steps'] = []
  const run = async (spec: Record<string, unknown>): Promise<FinishedJob> => {
    const t = performance.now()
    const job = await start(spec)
    steps.push({ kind: String(spec.kind), seconds: (performance.now() - t) / 1000 })
    if (job.state !== 'done') throw new Error(`${String(spec.kind)} ended ${job.state}: ${job.error ?? ''}`)
    return job
  }
  const dataset = async (spec: Record<string, unknown>) => ((await run(spec)).result.datasets as number[])[0]!
  const mat = join(examplesDir, 'rsa92', 'Kriegeskorte_Neuron2008_supplementalData.mat')
  const images = await dataset({ kind: 'import', dataset: 'images', path: mat, key: 'stimuli_92objs.image', name: '92 images' })
  const categories = await dataset({ kind: 'import', dataset: 'concepts', path: mat, key: 'stimuli_92objs', name: 'categories' })
  const judgments = await dataset({ kind: 'import', dataset: 'similarity', path: join(examplesDir, 'rsa92', '92_behavRDMs.mat'), key: 'rdms_behav_92.RDM', name: 'judgments', measure: 'dissimilarity' })
  const base = await dataset({ kind: 'extract', images, model: 'mobilenet_v2', layers: [BUILTIN_MODELS.mobilenet_v2.defaultLayer] })
  const fitted = await dataset({ kind: 'selectMatrix', dataset: judgments, matrix: [0, 1, 2, 3, 4, 5, 6, 7], name: 'judgments of subjects 1–8' })
  const heldOut = await dataset({ kind: 'selectMatrix', dataset: judgments, matrix: [8, 9, 10, 11, 12, 13, 14, 15], name: 'judgments of subjects 9–16 (held out)' })
  const human = await dataset({ kind: 'deriveTriplets', dataset: fitted })
  const humanHeldOut = await dataset({ kind: 'deriveTriplets', dataset: heldOut })
  const probe = (await run({ kind: 'probe', features: base, triplets: human, objective: 'soft', lambdas: [0.1], rank: 32, batchSize: 4096, learningRate: 0.01, maxEpochs: 40, patience: 8 })).result.run as number
  const clusters = (await run({ kind: 'alignetClusters', features: base, transformRun: probe, ks: [5, 10, 20] })).result.run as number
  const teacher = await dataset({ kind: 'alignetTriplets', clustersRun: clusters, count: 5000 })
  const distilled = await run({ kind: 'alignetDistill', triplets: teacher, images, steps: 40, batchSize: 4, warmupSteps: 4, peakLearningRate: 1e-4, augment: 'flip' })
  const student = (distilled.result.models as string[])[0]!
  const aligned = await dataset({ kind: 'extract', images, model: student, layers: ['triplet_head'] })
  const evaluation = await run({ kind: 'alignetEvaluate', base, aligned, triplets: humanHeldOut, rdms: heldOut, labelsFrom: categories, bootstrap: 1000 })
  return { seconds: (performance.now() - began) / 1000, steps, distilled, rows: evaluation.result.rows as BeforeAfterRow[] }
}

/** One line per step and the table, for a log or an issue note. */
export function describePipeline(report: PipelineReport): string {
  const { distilled } = report
  const steps = report.steps.map((s) => `${s.kind} ${s.seconds.toFixed(1)} s`).join(', ')
  return `AligNet end to end on ${String(distilled.result.backend)}, ${report.seconds.toFixed(0)} s (distillation ${(distilled.result.seconds as number).toFixed(0)} s, divergence ${(distilled.result.divergenceFirst as number).toFixed(4)} → ${(distilled.result.divergenceLast as number).toFixed(4)}; ${steps}):\n${JSON.stringify(report.rows)}\n`
}
