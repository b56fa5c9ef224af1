import { Worker } from 'node:worker_threads'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { JobInfo, JobKind, JobProgress, JobSpec, JobState, MetricSeries } from '../api/contract'
import { AppError } from '../api/errors'
import type { EventBus } from '../api/events'
import type { BackendName } from '../core/compute/backendNames'
import { ARTIFACTS_DIR, listArtifactFiles, putArray } from '../store/artifacts'
import { insertDataset } from '../store/datasets'
import type { Project } from '../store/project'
import { catalog, type Lane } from './catalog'
import { checkpointDir, removeCheckpoint } from './checkpoint'
import type { FromWorker, JobOutput, ToWorker, WorkerData } from './protocol'

interface JobRow {
  id: number
  kind: string
  spec: string
  state: JobState
  fraction: number
  stage: string
  eta_seconds: number | null
  error: string | null
  result: string | null
  backend: string | null
  checkpoint_at: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
}

function toInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    state: row.state,
    backend: row.backend as BackendName | null,
    checkpointAt: row.checkpoint_at,
    resumable: row.state === 'failed',
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
export const JOB_WORKER = 'jobWorker.js'

interface Running {
  id: number
  worker: Worker
  startedAt: number
  startFraction: number
  lastEvent: number
  lastWrite: number
  cancelTimer?: NodeJS.Timeout
}

interface Settlement {
  stage: string
  error?: string
  result?: unknown
}

export interface JobRunnerOptions {
  /** Folder of the built worker entry (jobWorker.js). */
  workerDir: string
  events: EventBus
  /** The backend the user asked for (null: best available), read when a job starts. */
  requestedBackend: () => BackendName | null
}

/**
 * Runs a project's jobs in worker threads, one at a time per lane, persisting state, progress, metrics and
 * checkpoints in the project and pushing them as events.
 */
export class JobRunner {
  private readonly running = new Map<Lane, Running>()
  private closed = false

  constructor(
    private readonly project: Project,
    private readonly options: JobRunnerOptions,
  ) {
    // A job that was queued or running when HumanAlign stopped is not restarted behind the user's back: it is
    // marked interrupted and can be resumed from its last checkpoint.
    project.db
      .prepare(
        `UPDATE jobs SET state = 'failed', error = 'Interrupted: HumanAlign stopped while this job was queued or running. Resume it to continue from its last checkpoint.',
         eta_seconds = NULL, finished_at = ? WHERE state IN ('queued', 'running')`,
      )
      .run(now())
  }

  list(): JobInfo[] {
    const rows = this.project.db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT 200').all() as JobRow[]
    return rows.map(toInfo)
  }

  get(id: number): JobInfo {
    const row = this.project.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
    if (!row) throw new AppError('not_found', `There is no job ${id} in this project.`)
    return toInfo(row)
  }

  metrics(id: number): MetricSeries[] {
    this.get(id)
    const rows = this.project.db
      .prepare('SELECT name, step, value FROM job_metrics WHERE job_id = ? ORDER BY name, step')
      .all(id) as { name: string; step: number; value: number }[]
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
    const { lastInsertRowid } = this.project.db
      .prepare("INSERT INTO jobs (kind, spec, state, stage, created_at) VALUES (?, ?, 'queued', 'Queued', ?)")
      .run(spec.kind, JSON.stringify(spec), now())
    const job = this.emitState(Number(lastInsertRowid))
    this.pump()
    return job
  }

  /** Queues a failed or interrupted job again; its worker continues from the last checkpoint if there is one. */
  resume(id: number): JobInfo {
    const job = this.get(id)
    if (!job.resumable) throw new AppError('conflict', `Job ${id} is ${job.state}; only a failed or interrupted job can be resumed.`)
    this.project.db
      .prepare("UPDATE jobs SET state = 'queued', stage = 'Queued to resume', error = NULL, finished_at = NULL WHERE id = ?")
      .run(id)
    const queued = this.emitState(id)
    this.pump()
    return queued
  }

  cancel(id: number): JobInfo {
    const job = this.get(id)
    const running = [...this.running.values()].find((r) => r.id === id)
    if (job.state === 'queued') {
      this.finish(id, 'cancelled', { stage: 'Cancelled' })
    } else if (job.state === 'running' && running) {
      running.worker.postMessage({ type: 'cancel' } satisfies ToWorker)
      running.cancelTimer ??= setTimeout(() => {
        void running.worker.terminate()
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
      await running.worker.terminate()
      this.settle(running, 'failed', { stage: 'Stopped', error: 'Interrupted: the project was closed while this job ran. Resume it to continue.' })
    }
    this.project.db
      .prepare("UPDATE jobs SET state = 'cancelled', stage = 'Cancelled: the project was closed', finished_at = ? WHERE state = 'queued'")
      .run(now())
  }

  private emitState(id: number): JobInfo {
    const job = this.get(id)
    this.options.events.emit({ type: 'job.state', job })
    // The project's summary counts jobs and artifacts; keep every view of it current.
    if (job.state !== 'running') this.options.events.emit({ type: 'project.changed', project: this.project.info() })
    return job
  }

  private updateStage(id: number, stage: string): void {
    this.project.db.prepare('UPDATE jobs SET stage = ? WHERE id = ?').run(stage, id)
    this.emitState(id)
  }

  private finish(id: number, state: JobState, fields: Settlement): void {
    this.project.db
      .prepare(
        `UPDATE jobs SET state = ?, stage = ?, error = ?, result = ?, eta_seconds = NULL, finished_at = ?,
         fraction = CASE WHEN ? = 'done' THEN 1 ELSE fraction END WHERE id = ?`,
      )
      .run(state, fields.stage, fields.error ?? null, fields.result === undefined ? null : JSON.stringify(fields.result), now(), state, id)
    // A finished or cancelled job leaves no partial state behind; a failed one keeps it to resume from.
    if (state === 'done' || state === 'cancelled') {
      removeCheckpoint(checkpointDir(this.project.dir, id))
      this.project.db.prepare('UPDATE jobs SET checkpoint_at = NULL WHERE id = ?').run(id)
    }
    this.emitState(id)
  }

  private settle(running: Running, state: JobState, fields: Settlement): void {
    const lane = catalog[this.get(running.id).kind].lane
    if (this.running.get(lane) !== running) return
    clearTimeout(running.cancelTimer)
    this.running.delete(lane)
    this.finish(running.id, state, fields)
    if (!this.closed) this.pump()
  }

  /**
   * Stores the job's output arrays as artifacts and its datasets as rows, in one transaction; if anything fails,
   * the rows roll back and the files this call wrote are removed. Returns the result with the artifacts' addresses.
   */
  private store(output: JobOutput): unknown {
    const db = this.project.db
    const written: string[] = []
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
          const artifact = outputs[record.output]
          if (!artifact) throw new Error(`the job recorded a dataset for a missing output '${record.output}'`)
          return insertDataset(db, record, artifact)
        })
        return {
          ...(output.result as object),
          ...(Object.keys(outputs).length ? { outputs } : {}),
          ...(datasets.length ? { datasets } : {}),
        }
      })()
    } catch (err) {
      for (const file of written) rmSync(join(this.project.dir, ARTIFACTS_DIR, file), { force: true })
      throw err
    }
  }

  private pump(): void {
    if (this.closed) return
    const queued = this.project.db.prepare("SELECT * FROM jobs WHERE state = 'queued' ORDER BY id").all() as JobRow[]
    for (const row of queued) {
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
    const data: WorkerData = { jobId: row.id, spec, input, projectDir: this.project.dir, backend, resume: row.checkpoint_at !== null }
    this.project.db
      .prepare("UPDATE jobs SET state = 'running', stage = 'Starting', started_at = coalesce(started_at, ?) WHERE id = ?")
      .run(now(), row.id)
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
    const db = this.project.db
    switch (message.type) {
      case 'backend':
        db.prepare('UPDATE jobs SET backend = ? WHERE id = ?').run(message.name, running.id)
        for (const line of message.log) this.options.events.emit({ type: 'log', level: 'info', message: `Job ${running.id}: ${line}` })
        this.emitState(running.id)
        break
      case 'progress':
        this.onProgress(running, message.fraction, message.stage)
        break
      case 'metric':
        db.prepare('INSERT OR REPLACE INTO job_metrics (job_id, name, step, value) VALUES (?, ?, ?, ?)').run(
          running.id,
          message.name,
          message.step,
          message.value,
        )
        this.options.events.emit({ type: 'job.metric', jobId: running.id, name: message.name, step: message.step, value: message.value })
        break
      case 'checkpoint':
        db.prepare('UPDATE jobs SET checkpoint_at = ? WHERE id = ?').run(now(), running.id)
        this.emitState(running.id)
        break
      case 'done':
        try {
          this.settle(running, 'done', { stage: 'Done', result: this.store(message.output) })
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
      this.project.db
        .prepare("UPDATE jobs SET fraction = ?, stage = ?, eta_seconds = ? WHERE id = ? AND state = 'running'")
        .run(progress.fraction, progress.stage, progress.etaSeconds, running.id)
    }
    if (t - running.lastEvent >= EVENT_INTERVAL_MS || fraction >= 1) {
      running.lastEvent = t
      this.options.events.emit({ type: 'job.progress', jobId: running.id, progress })
    }
  }
}
