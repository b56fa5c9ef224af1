import type { JobSpec } from '../api/contract'

/** What a job function gets: where the project is, a cancellation signal, and ways to report. */
export interface JobContext {
  projectDir: string
  signal: AbortSignal
  progress(fraction: number, stage: string): void
  metric(name: string, step: number, value: number): void
}

export type JobFunction<S extends JobSpec = JobSpec> = (spec: S, input: unknown, ctx: JobContext) => Promise<unknown>

export interface WorkerData {
  jobId: number
  spec: JobSpec
  /** Inputs the main thread read from the project database for the job. */
  input: unknown
  projectDir: string
}

export type ToWorker = { type: 'cancel' }

export type FromWorker =
  | { type: 'progress'; fraction: number; stage: string }
  | { type: 'metric'; name: string; step: number; value: number }
  | { type: 'done'; result: unknown }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string }

export class JobCancelled extends Error {
  override name = 'JobCancelled'
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new JobCancelled('cancelled')
}
