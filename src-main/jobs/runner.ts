import { Worker } from 'node:worker_threads'
import { cpSync, existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { JobInfo, JobKind, JobProgress, JobSpec, JobState, MetricSeries } from '../api/contract'
import { AppError } from '../api/errors'
import type { EventBus } from '../api/events'
import type { BackendName } from '../core/compute/backendNames'
import { ARTIFACTS_DIR, listArtifactFiles, putArray } from '../store/artifacts'
import { IMAGES_DIR, insertDataset } from '../store/datasets'
import { addUserModel, MODELS_DIR } from '../store/models'
import { insertRun } from '../store/runs'
import type { Project } from '../store/project'
import { catalog, type Lane } from './catalog'
import { checkpointDir, removeCheckpoint } from './checkpoint'
import { JobTable, type JobRow } from './jobTable'
import type { FromWorker, JobOutput, ToWorker, WorkerData } from './protocol'

function toInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    state: row.state,
    backend: row.backend as BackendName | null,
    checkpointAt: row.checkpoint_at,
    // Transient jobs (imports) are simply started again.
    resumable: row.state === 'failed' && row.id > 0,
    progress: { fraction: row.fraction, stage: row.stage, etaSeconds: row.eta_seconds },
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
  }
}

const now = (): string => new Date().toISOString()
/** Progress is pushed at most this often per job; the database is written less often. */
const EVENT_INTERVAL_MS = 100
const DB_INTERVAL_MS = 1000
/** A worker that ignores a cancel request this long is terminated. */
const CANCEL_GRACE_MS = 1000
/** How long closing waits for a WebGPU worker to stop by itself before terminating it. */
const CLOSE_GRACE_MS = 10_000

/**
 * Dawn's Node binding aborts the whole process (FATAL napi_throw) when a thread is terminated inside a Dawn call,
 * so a worker holding a WebGPU device is asked to stop rather than terminated, where that can wait.
 */
const holdsGpu = (running: Running): boolean => running.backend === 'webgpu'

export const JOB_WORKER = 'jobWorker.js'

interface Running {
  id: number
  worker: Worker
  startedAt: number
  startFraction: number
  lastEvent: number
  lastWrite: number
  cancelTimer?: NodeJS.Timeout
  /** The backend its worker chose (reported when it starts computing). */
  backend?: string
}

interface Settlement {
  stage: string
  error?: string
  result?: unknown
}

export interface JobRunnerOptions {
  /** Folder of the built worker entry (jobWorker.js). */
  workerDir: string
  /** The bundled example data, for jobs that use it. */
  examplesDir: string
  events: EventBus
  /** The backend the user asked for (null: best available), read when a job starts. */
  requestedBackend: () => BackendName | null
  /** Called when the last queued or running job has settled. */
  onIdle?: () => void
}

/**
 * Runs a project's jobs in worker threads, one at a time per lane, persisting state, progress, metrics and
 * checkpoints in the project and pushing them as events.
 */
export class JobRunner {
  private readonly running = new Map<Lane, Running>()
  private readonly table: JobTable
  private closed = false

  constructor(
    private readonly project: Project,
    private readonly options: JobRunnerOptions,
  ) {
    this.table = new JobTable(project.db)
    // A job that was queued or running when HumanAlign stopped is not restarted behind the user's back: it is
    // marked interrupted and can be resumed from its last checkpoint.
    this.table.interruptLeftovers('Interrupted: HumanAlign stopped while this job was queued or running. Resume it to continue from its last checkpoint.')
  }

  list(): JobInfo[] {
    return this.table.list().map(toInfo)
  }

  /** What a job was asked to do. */
  spec(id: number): JobSpec {
    const row = this.table.get(id)
    if (!row) throw new AppError('not_found', `There is no job ${id} in this project.`)
    return JSON.parse(row.spec) as JobSpec
  }

  /** True when no job is running or queued. */
  idle(): boolean {
    return this.running.size === 0 && this.table.queued().length === 0
  }

  get(id: number): JobInfo {
    const row = this.table.get(id)
    if (!row) throw new AppError('not_found', `There is no job ${id} in this project.`)
    return toInfo(row)
  }

  metrics(id: number): MetricSeries[] {
    this.get(id)
    const rows = this.table.metrics(id)
    const series = new Map<string, MetricSeries>()
    for (const row of rows) {
      const entry = series.get(row.name) ?? { name: row.name, points: [] }
      entry.points.push([row.step, row.value])
      series.set(row.name, entry)
    }
    return [...series.values()]
  }

  start(spec: JobSpec): JobInfo {
    // Inputs are checked now, so a job that cannot run is refused instead of queued.
    catalog[spec.kind].input(this.project.db, spec)
    const id = this.table.insert(spec.kind, JSON.stringify(spec), catalog[spec.kind].transient ?? false)
    const job = this.emitState(id)
    this.pump()
    return job
  }

  /** Queues a failed or interrupted job again; its worker continues from the last checkpoint if there is one. */
  resume(id: number): JobInfo {
    const job = this.get(id)
    if (!job.resumable) throw new AppError('conflict', `Job ${id} is ${job.state}; only a failed or interrupted job can be resumed.`)
    this.table.update(id, { state: 'queued', stage: 'Queued to resume', error: null, finished_at: null })
    const queued = this.emitState(id)
    this.pump()
    return queued
  }

  /** Gives up a failed job for good: its checkpoint is deleted and it can no longer be resumed. */
  discard(id: number): JobInfo {
    const job = this.get(id)
    if (job.state !== 'failed') {
      throw new AppError('conflict', job.state === 'queued' || job.state === 'running' ? `Job ${id} is ${job.state}; cancel it instead.` : `Job ${id} has already ${job.state === 'done' ? 'finished' : 'been cancelled'}; there is nothing to discard.`)
    }
    this.finish(id, 'cancelled', { stage: 'Discarded' })
    return this.get(id)
  }

  cancel(id: number): JobInfo {
    const job = this.get(id)
    const running = [...this.running.values()].find((r) => r.id === id)
    if (job.state === 'queued') {
      this.finish(id, 'cancelled', { stage: 'Cancelled' })
    } else if (job.state === 'running' && running) {
      running.worker.postMessage({ type: 'cancel' } satisfies ToWorker)
      running.cancelTimer ??= setTimeout(() => {
        // A GPU worker stops at its next cancellation check; its messages are ignored from here on.
        if (!holdsGpu(running)) void running.worker.terminate()
        this.settle(running, 'cancelled', { stage: 'Cancelled' })
      }, CANCEL_GRACE_MS)
      this.updateStage(id, 'Cancelling…')
    } else {
      throw new AppError('conflict', `Job ${id} has already ${job.state === 'done' ? 'finished' : job.state}.`)
    }
    return this.get(id)
  }

  /** Stops running jobs (the project is closing); they stay resumable. Queued ones are marked cancelled. */
  async close(): Promise<void> {
    this.closed = true
    for (const running of [...this.running.values()]) {
      const interrupted = () => this.settle(running, 'failed', { stage: 'Stopped', error: 'Interrupted: the project was closed while this job ran. Resume it to continue.' })
      if (holdsGpu(running)) {
        // Recorded first, so the job is resumable even if terminating the worker takes the process down.
        interrupted()
        running.worker.postMessage({ type: 'cancel' } satisfies ToWorker)
        const exited = new Promise<boolean>((resolve) => running.worker.once('exit', () => resolve(true)))
        if (!(await Promise.race([exited, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CLOSE_GRACE_MS).unref())]))) await running.worker.terminate()
      } else {
        await running.worker.terminate()
        interrupted()
      }
    }
    for (const row of this.table.queued()) this.table.update(row.id, { state: 'cancelled', stage: 'Cancelled: the project was closed', finished_at: now() })
  }

  private emitState(id: number): JobInfo {
    const job = this.get(id)
    this.options.events.emit({ type: 'job.state', job })
    // The project's summary counts jobs and artifacts; keep every view of it current.
    if (job.state !== 'running') this.options.events.emit({ type: 'project.changed', project: this.project.info() })
    return job
  }

  private updateStage(id: number, stage: string): void {
    this.table.update(id, { stage })
    this.emitState(id)
  }

  private finish(id: number, state: JobState, fields: Settlement): void {
    const previous = this.table.get(id)
    this.table.update(id, {
      state,
      stage: fields.stage,
      error: fields.error ?? null,
      result: fields.result === undefined ? null : JSON.stringify(fields.result),
      eta_seconds: null,
      finished_at: now(),
      fraction: state === 'done' ? 1 : (previous?.fraction ?? 0),
    })
    // A finished or cancelled job leaves no partial state behind; a failed one keeps it to resume from.
    if (state === 'done' || state === 'cancelled') {
      removeCheckpoint(checkpointDir(this.project.dir, id))
      this.table.update(id, { checkpoint_at: null })
    }
    this.emitState(id)
    if (!this.closed && this.idle()) this.options.onIdle?.()
  }

  private settle(running: Running, state: JobState, fields: Settlement): void {
    // A worker's late exit or error (already settled, or after close() shut the project) finds nothing to settle.
    const lane = [...this.running].find(([, r]) => r === running)?.[0]
    if (lane === undefined) return
    clearTimeout(running.cancelTimer)
    this.running.delete(lane)
    this.finish(running.id, state, fields)
    if (!this.closed) this.pump()
  }

  /**
   * Stores the job's output arrays as artifacts and its datasets as rows, in one transaction; if anything fails,
   * the rows roll back and the files this call wrote are removed. Returns the result with the artifacts' addresses.
   */
  private store(jobId: number, output: JobOutput): unknown {
    const db = this.project.db
    const written: string[] = []
    const copied: string[] = []
    try {
      return db.transaction(() => {
        const outputs: Record<string, string> = {}
        for (const [name, array] of Object.entries(output.outputs ?? {})) {
          const before = new Set(listArtifactFiles(this.project.dir))
          const row = putArray(db, this.project.dir, array)
          if (!before.has(row.file)) written.push(row.file)
          outputs[name] = row.sha256
        }
        const datasets = (output.records ?? []).map((record) => {
          const artifact = record.output === undefined ? null : outputs[record.output]
          if (artifact === undefined) throw new Error(`the job recorded a dataset for a missing output '${record.output}'`)
          if (record.files) {
            const target = join(this.project.dir, IMAGES_DIR, record.files.folder)
            if (existsSync(target)) throw new Error(`${target} already exists`)
            cpSync(record.files.staging, target, { recursive: true })
            copied.push(target)
          }
          const linked = Object.fromEntries(Object.entries(record.metaOutputs ?? {}).map(([key, name]) => [key, outputs[name]]))
          return insertDataset(db, { ...record, meta: { ...record.meta, ...linked } }, artifact)
        })
        const models = (output.models ?? []).map((model, i) => {
          const target = join(this.project.dir, MODELS_DIR, `job-${jobId}${i ? `-${i}` : ''}`)
          if (existsSync(target)) throw new Error(`${target} already exists`)
          cpSync(model.staging, target, { recursive: true })
          copied.push(target)
          addUserModel(db, { id: target, title: model.title, description: model.description })
          return target
        })
        // The run keeps the addresses of what the job stored (a probe's weights), so later jobs can use them.
        const run = output.run ? insertRun(db, { ...output.run, result: { ...(output.result as object), ...(Object.keys(outputs).length ? { outputs } : {}) } }) : null
        return {
          ...(output.result as object),
          ...(Object.keys(outputs).length ? { outputs } : {}),
          ...(datasets.length ? { datasets } : {}),
          ...(models.length ? { models } : {}),
          ...(run !== null ? { run } : {}),
        }
      })()
    } catch (err) {
      for (const file of written) rmSync(join(this.project.dir, ARTIFACTS_DIR, file), { force: true })
      for (const dir of copied) rmSync(dir, { recursive: true, force: true })
      throw err
    } finally {
      for (const record of output.records ?? []) if (record.files) rmSync(record.files.staging, { recursive: true, force: true })
      for (const model of output.models ?? []) rmSync(model.staging, { recursive: true, force: true })
    }
  }

  private pump(): void {
    if (this.closed) return
    for (const row of this.table.queued()) {
      const kind = catalog[row.kind as JobKind]
      if (this.running.has(kind.lane)) continue
      const spec = JSON.parse(row.spec) as JobSpec
      let input: unknown
      try {
        input = kind.input(this.project.db, spec)
      } catch (err) {
        this.finish(row.id, 'failed', { stage: 'Failed', error: (err as Error).message })
        continue
      }
      this.launch(row, spec, kind.lane, kind.computes ? { requested: this.options.requestedBackend() } : null, input)
    }
  }

  private launch(row: JobRow, spec: JobSpec, lane: Lane, backend: WorkerData['backend'], input: unknown): void {
    const data: WorkerData = { jobId: row.id, spec, input, projectDir: this.project.dir, examplesDir: this.options.examplesDir, backend, resume: row.checkpoint_at !== null }
    this.table.update(row.id, { state: 'running', stage: 'Starting', started_at: row.started_at ?? now() })
    const worker = new Worker(join(this.options.workerDir, JOB_WORKER), { workerData: data })
    const running: Running = { id: row.id, worker, startedAt: performance.now(), startFraction: row.fraction, lastEvent: 0, lastWrite: 0 }
    this.running.set(lane, running)
    this.emitState(row.id)
    worker.on('message', (message: FromWorker) => this.onMessage(running, message))
    worker.on('error', (err) => this.settle(running, 'failed', { stage: 'Failed', error: err.message }))
    worker.on('exit', (code) => {
      if (code !== 0) {
        this.settle(running, 'failed', { stage: 'Failed', error: `The job's worker stopped unexpectedly (exit code ${code}). Resume it to continue.` })
      }
    })
  }

  private isCurrent(running: Running): boolean {
    return [...this.running.values()].includes(running)
  }

  private onMessage(running: Running, message: FromWorker): void {
    if (!this.isCurrent(running)) return
    switch (message.type) {
      case 'backend':
        running.backend = message.name
        this.table.update(running.id, { backend: message.name })
        for (const line of message.log) this.options.events.emit({ type: 'log', level: 'info', message: `Job ${running.id}: ${line}` })
        this.emitState(running.id)
        break
      case 'progress':
        this.onProgress(running, message.fraction, message.stage)
        break
      case 'metric':
        this.table.addMetric(running.id, message.name, message.step, message.value)
        this.options.events.emit({ type: 'job.metric', jobId: running.id, name: message.name, step: message.step, value: message.value })
        break
      case 'checkpoint':
        this.table.update(running.id, { checkpoint_at: now() })
        this.emitState(running.id)
        break
      case 'done':
        try {
          this.settle(running, 'done', { stage: 'Done', result: this.store(running.id, message.output) })
        } catch (err) {
          this.settle(running, 'failed', { stage: 'Failed', error: `Could not store the job's output: ${(err as Error).message}` })
        }
        break
      case 'cancelled':
        this.settle(running, 'cancelled', { stage: 'Cancelled' })
        break
      case 'failed':
        this.settle(running, 'failed', { stage: 'Failed', error: message.message })
        break
    }
  }

  private onProgress(running: Running, fraction: number, stage: string): void {
    const t = performance.now()
    const elapsed = (t - running.startedAt) / 1000
    // A resumed job's ETA counts only the part done since it resumed.
    const done = fraction - running.startFraction
    const progress: JobProgress = {
      fraction: Math.min(1, Math.max(0, fraction)),
      stage,
      etaSeconds: done > 0.01 && fraction < 1 ? (elapsed * (1 - fraction)) / done : null,
    }
    if (t - running.lastWrite >= DB_INTERVAL_MS) {
      running.lastWrite = t
      this.table.update(running.id, { fraction: progress.fraction, stage: progress.stage, eta_seconds: progress.etaSeconds }, 'running')
    }
    if (t - running.lastEvent >= EVENT_INTERVAL_MS || fraction >= 1) {
      running.lastEvent = t
      this.options.events.emit({ type: 'job.progress', jobId: running.id, progress })
    }
  }
}
