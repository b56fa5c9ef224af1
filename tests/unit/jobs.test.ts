import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AppEvent, JobInfo } from '../../src-main/api/contract'
import { createEventBus } from '../../src-main/api/events'
import { checkpointDir, writeCheckpoint } from '../../src-main/jobs/checkpoint'
import { JobRunner } from '../../src-main/jobs/runner'
import { Project } from '../../src-main/store/project'
import { EXAMPLES_DIR, seedArtifacts, WORKER_DIR } from '../helpers/seed'
import { settled, until } from '../helpers/events'
import { useTmp } from '../helpers/tmp'

const tmp = useTmp()
const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

function setup() {
  const project = Project.create(join(tmp(), 'p'), 'jobs', '1')
  const events = createEventBus()
  const seen: AppEvent[] = []
  events.subscribe((e) => seen.push(e))
  const runner = new JobRunner(project, { workerDir: WORKER_DIR, examplesDir: EXAMPLES_DIR, events, requestedBackend: () => null })
  cleanup.push(() => project.close(), () => runner.close())
  return { project, runner, seen }
}




describe('JobRunner with verifyArtifacts', () => {
  it('runs in a worker, reports progress and metrics, and stores the result', async () => {
    const { project, runner, seen } = setup()
    const rows = seedArtifacts(project, 3, 8)
    const job = runner.start({ kind: 'verifyArtifacts' })
    expect(job.state).toBe('queued')
    const end = (await until(seen, settled(job.id))) as Extract<AppEvent, { type: 'job.state' }>
    expect(end.job.state).toBe('done')
    expect(end.job.result).toEqual({ checked: 3, bytes: rows.reduce((s, r) => s + r.bytes, 0), missing: [], corrupted: [] })
    expect(end.job.progress.fraction).toBe(1)
    const states = seen.filter((e) => e.type === 'job.state').map((e) => (e as { job: JobInfo }).job.state)
    expect(states.filter((s, i) => s !== states[i - 1])).toEqual(['queued', 'running', 'done'])
    expect(seen.some((e) => e.type === 'job.progress' && e.progress.fraction > 0)).toBe(true)
    const metrics = runner.metrics(job.id)
    expect(metrics.map((m) => m.name)).toEqual(['MB/s'])
    expect(metrics[0]!.points.map(([step]) => step)).toEqual([0, 1, 2])
    expect(metrics[0]!.points.every(([, v]) => v > 0)).toBe(true)
    // Persisted: a fresh read from the database says the same.
    expect(runner.get(job.id)).toMatchObject({ state: 'done', result: end.job.result })
  })

  it('finds missing and corrupted artifacts', async () => {
    const { project, runner, seen } = setup()
    const [a, b, c] = seedArtifacts(project, 3, 1)
    rmSync(join(project.dir, 'artifacts', a!.file))
    writeFileSync(join(project.dir, 'artifacts', b!.file), 'tampered')
    const job = runner.start({ kind: 'verifyArtifacts' })
    const end = (await until(seen, settled(job.id))) as Extract<AppEvent, { type: 'job.state' }>
    expect(end.job.result).toMatchObject({ checked: 3, missing: [a!.file], corrupted: [b!.file] })
    expect((end.job.result as { corrupted: string[] }).corrupted).not.toContain(c!.file)
  })

  it('cancels a running job within a second and runs the next queued one', async () => {
    const { project, runner, seen } = setup()
    seedArtifacts(project, 16, 32)
    const first = runner.start({ kind: 'verifyArtifacts' })
    const second = runner.start({ kind: 'verifyArtifacts' })
    expect(runner.get(second.id).state).toBe('queued')
    await until(seen, (e) => e.type === 'job.progress' && e.jobId === first.id && e.progress.fraction > 0)
    const asked = performance.now()
    runner.cancel(first.id)
    const end = (await until(seen, settled(first.id))) as Extract<AppEvent, { type: 'job.state' }>
    expect(end.job.state).toBe('cancelled')
    expect(performance.now() - asked).toBeLessThan(1000)
    expect(end.job.progress.fraction).toBeLessThan(1)
    await until(seen, (e) => e.type === 'job.state' && e.job.id === second.id && e.job.state === 'running')
    runner.cancel(second.id)
    await until(seen, settled(second.id))
    expect(() => runner.cancel(second.id)).toThrow(/has already cancelled/)
  })

  it('cancels a queued job without starting it', async () => {
    const { project, runner, seen } = setup()
    seedArtifacts(project, 4, 32)
    const first = runner.start({ kind: 'verifyArtifacts' })
    const queued = runner.start({ kind: 'verifyArtifacts' })
    expect(runner.cancel(queued.id).state).toBe('cancelled')
    await until(seen, settled(first.id))
    expect(seen.some((e) => e.type === 'job.state' && e.job.id === queued.id && e.job.state === 'running')).toBe(false)
  })

  it('marks jobs a crashed process left running as interrupted', () => {
    const dir = join(tmp(), 'p')
    const project = Project.create(dir, 'x', '1')
    project.db
      .prepare("INSERT INTO jobs (kind, spec, state, created_at) VALUES ('verifyArtifacts', '{\"kind\":\"verifyArtifacts\"}', 'running', 'then')")
      .run()
    const runner = new JobRunner(project, { workerDir: WORKER_DIR, examplesDir: EXAMPLES_DIR, events: createEventBus(), requestedBackend: () => null })
    cleanup.push(() => project.close())
    expect(runner.list()[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/^Interrupted/) })
  })

  it('discards a failed job: its checkpoint goes and it can no longer be resumed', () => {
    const { project, runner } = setup()
    const { lastInsertRowid } = project.db
      .prepare("INSERT INTO jobs (kind, spec, state, error, checkpoint_at, created_at) VALUES ('similarity', '{}', 'failed', 'Interrupted', 'then', 'then')")
      .run()
    const id = Number(lastInsertRowid)
    const dir = checkpointDir(project.dir, id)
    writeCheckpoint(dir, { state: { nextRow: 5 }, arrays: { rows: { dtype: '<f4', shape: [2], data: Float32Array.of(1, 2) } } })
    expect(runner.get(id)).toMatchObject({ state: 'failed', resumable: true })
    expect(runner.discard(id)).toMatchObject({ state: 'cancelled', resumable: false, checkpointAt: null, progress: { stage: 'Discarded' } })
    expect(existsSync(dir)).toBe(false)
    expect(() => runner.resume(id)).toThrow(`Job ${id} is cancelled; only a failed or interrupted job can be resumed.`)
    expect(() => runner.discard(id)).toThrow(`Job ${id} has already been cancelled; there is nothing to discard.`)
  })

  it('discards only failed jobs', async () => {
    const { project, runner, seen } = setup()
    seedArtifacts(project, 1, 1)
    const job = runner.start({ kind: 'verifyArtifacts' })
    expect(() => runner.discard(job.id)).toThrow(`Job ${job.id} is running; cancel it instead.`)
    await until(seen, settled(job.id))
    expect(() => runner.discard(job.id)).toThrow(`Job ${job.id} has already finished; there is nothing to discard.`)
  })

  it('says when a job does not exist', () => {
    const { runner } = setup()
    expect(() => runner.cancel(99)).toThrow('There is no job 99 in this project.')
  })
})
