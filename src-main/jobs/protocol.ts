import type { JobSpec } from '../api/contract'
import type { BackendChoice, BackendName } from '../core/compute/backend'
import type { NpyArray } from '../core/io/npy'
import type { Checkpoint } from './checkpoint'

/** What a job function gets: where the project is, a cancellation signal, and ways to report. */
export interface JobContext {
  projectDir: string
  /** The bundled example data (resources/examples). */
  examplesDir: string
  signal: AbortSignal
  /** The compute backend this worker initialised, for kinds that compute. */
  backend: BackendChoice | null
  /** The last checkpoint when the job is resumed, else null. */
  restored: Checkpoint | null
  progress(fraction: number, stage: string): void
  metric(name: string, step: number, value: number): void
  /** Saves a state the job can continue from; written before this returns. */
  checkpoint(state: unknown, arrays?: Record<string, NpyArray>): void
}

/** A dataset the job adds to the project, pointing at one of its outputs. */
export interface DatasetRecord {
  kind: 'features' | 'triplets' | 'similarity' | 'concepts' | 'images'
  name: string
  sourcePath: string
  /** The name of the output array that holds it; none for an image set, whose files are its content. */
  output?: string
  /** Image files prepared outside the project, copied into <project>/images/<name>/ when the dataset is stored. */
  files?: { staging: string; folder: string }
  meta: Record<string, unknown>
  /** Meta keys whose value is another output's artifact address (soft labels beside triplets). */
  metaOutputs?: Record<string, string>
}

/** A model the job trained: its TF.js folder, written outside the project, moved into <project>/models/. */
export interface ModelRecord {
  staging: string
  title: string
  description: string
}

/**
 * What a job returns: a JSON result, arrays the project stores as artifacts (their SHA-256 go in the result), and
 * datasets to record. All of it is stored in one transaction, or none of it.
 */
export interface JobOutput {
  result: unknown
  outputs?: Record<string, NpyArray>
  records?: DatasetRecord[]
  /** Models to add to the project's model list. */
  models?: ModelRecord[]
  /** An evaluation to record as a run of the project, with the job's result. */
  run?: { kind: string; name: string; params: unknown }
}

export type JobFunction = (spec: JobSpec, input: unknown, ctx: JobContext) => Promise<JobOutput>

export interface WorkerData {
  jobId: number
  spec: JobSpec
  /** Inputs the main thread read from the project database for the job. */
  input: unknown
  projectDir: string
  examplesDir: string
  /** null: the kind computes nothing and needs no backend. */
  backend: { requested: BackendName | null } | null
  resume: boolean
}

export type ToWorker = { type: 'cancel' }

export type FromWorker =
  | { type: 'backend'; name: BackendName; log: string[] }
  | { type: 'progress'; fraction: number; stage: string }
  | { type: 'metric'; name: string; step: number; value: number }
  | { type: 'checkpoint' }
  | { type: 'done'; output: JobOutput }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string }

export class JobCancelled extends Error {
  override name = 'JobCancelled'
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelled('cancelled')
}

/**
 * Lets the worker's event loop run (a cancel request arrives as a message, which a loop of awaits that resolve
 * as microtasks, such as tfjs reads on wasm, would never let in), then stops if the job was cancelled.
 */
export async function yieldForCancel(signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve))
  throwIfCancelled(signal)
}
