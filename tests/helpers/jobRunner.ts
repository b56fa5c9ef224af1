// A project with a job runner on the built workers, the events it emits, and waiting for a job to settle.
import { join } from 'node:path'
import { afterEach, expect } from 'vitest'
import type { AppEvent, JobInfo, JobSpec } from '../../src-main/api/contract'
import { createEventBus } from '../../src-main/api/events'
import type { BackendName } from '../../src-main/core/compute/backendNames'
import { JobRunner } from '../../src-main/jobs/runner'
import { Project } from '../../src-main/store/project'
import { settled, until } from './events'
import { EXAMPLES_DIR, WORKER_DIR } from './seed'
import { useTmp } from './tmp'

export function useJobRunner(backend: BackendName | null = 'wasm') {
  const tmp = useTmp()
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })
  return () => {
    const project = Project.create(join(tmp(), 'p'), 'jobs', '1')
    const events = createEventBus()
    const seen: AppEvent[] = []
    events.subscribe((e) => seen.push(e))
    const runner = new JobRunner(project, { workerDir: WORKER_DIR, examplesDir: EXAMPLES_DIR, events, requestedBackend: () => backend })
    cleanup.push(() => project.close())
    cleanup.push(() => runner.close())
    return { project, runner, seen, tmp }
  }
}

export const stateOf = async (seen: AppEvent[], id: number): Promise<JobInfo> => ((await until(seen, settled(id))) as { job: JobInfo }).job

/** Kills the worker of the running compute job, as a crash would. */
export async function crashComputeWorker(runner: JobRunner): Promise<void> {
  const running = (runner as unknown as { running: Map<string, { worker: { terminate(): Promise<number> } }> }).running
  await running.get('compute')!.worker.terminate()
}

/**
 * Starts `spec`, kills its worker once it has checkpointed, checks that the job is reported resumable, resumes
 * it and returns how it ended; `seen` then holds only the events of the resumed run.
 */
export async function crashAndResume(runner: JobRunner, seen: AppEvent[], spec: JobSpec): Promise<JobInfo> {
  const job = runner.start(spec)
  await until(seen, (e) => e.type === 'job.state' && e.job.id === job.id && e.job.checkpointAt !== null)
  await crashComputeWorker(runner)
  expect(await stateOf(seen, job.id)).toMatchObject({ state: 'failed', resumable: true })
  seen.length = 0
  runner.resume(job.id)
  return stateOf(seen, job.id)
}

/** Cancels a running job and checks that it stops within a second, as cancelled, without recording a run. */
export async function expectCancelledWithinASecond(runner: JobRunner, seen: AppEvent[], project: Project, id: number): Promise<void> {
  const asked = performance.now()
  runner.cancel(id)
  expect(await stateOf(seen, id)).toMatchObject({ state: 'cancelled' })
  expect(performance.now() - asked).toBeLessThan(1000)
  expect(project.info().counts.runs).toBe(0)
}
