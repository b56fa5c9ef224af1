import { Worker } from 'node:worker_threads'
import type { JobInfo, JobKind, JobProgress, JobSpec, JobState, MetricSeries } from '../api/contract'
import { AppError } from '../api/errors'
import type { EventBus } from '../api/events'
import { listArtifacts } from '../store/artifacts'
import type { Project } from '../store/project'
import type { FromWorker, ToWorker, WorkerData } from './protocol'

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
  created_at: string
  started_at: string | null
  finished_at: string | null
}

function toInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    kind: row.kind as JobKind,
    state: row.state,
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

interface Running {
  id: number
  worker: Worker
  startedAt: number
  lastEvent: number
  lastWrite: number
  cancelTimer?: NodeJS.Timeout
}

/**
 * Runs a project's jobs one at a time in worker threads, persisting state and progress in the project database
 * and pushing them as events.
 */
export class JobRunner {
  private running: Running | null = null
  private closed = false

  constructor(
    private readonly project: Project,
    private readonly workerPath: string,
    private readonly events: EventBus,
  ) {
    // Jobs left "running" or "queued" by a process that stopped cannot resume yet: say so instead of lying.
    project.db
      .prepare(
        `UPDATE jobs SET state = 'failed', error = 'Interrupted: HumanAlign stopped while this job was queued or running.',
         finished_at = ? WHERE state IN ('queued', 'running')`,
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
    const { lastInsertRowid } = this.project.db
      .prepare("INSERT INTO jobs (kind, spec, state, stage, created_at) VALUES (?, ?, 'queued', 'Queued', ?)")
      .run(spec.kind, JSON.stringify(spec), now())
    const job = this.emitState(Number(lastInsertRowid))
    this.pump()
    return job
  }

  cancel(id: number): JobInfo {
    const job = this.get(id)
    if (job.state === 'queued') {
      this.finish(id, 'cancelled', { stage: 'Cancelled' })
    } else if (job.state === 'running' && this.running?.id === id) {
      const running = this.running
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

  /** Stops the running job (the project is closing); queued ones are marked cancelled. */
  async close(): Promise<void> {
    this.closed = true
    const running = this.running
    if (running) {
      await running.worker.terminate()
      this.settle(running, 'cancelled', { stage: 'Cancelled: the project was closed' })
    }
    this.project.db
      .prepare("UPDATE jobs SET state = 'cancelled', stage = 'Cancelled: the project was closed', finished_at = ? WHERE state = 'queued'")
      .run(now())
  }

  private emitState(id: number): JobInfo {
    const job = this.get(id)
    this.events.emit({ type: 'job.state', job })
    // The project's summary counts jobs; keep every view of it current.
    if (job.state !== 'running') this.events.emit({ type: 'project.changed', project: this.project.info() })
    return job
  }

  private updateStage(id: number, stage: string): void {
    this.project.db.prepare('UPDATE jobs SET stage = ? WHERE id = ?').run(stage, id)
    this.emitState(id)
  }

  private finish(id: number, state: JobState, fields: { stage: string; error?: string; result?: unknown }): void {
    this.project.db
      .prepare(
        `UPDATE jobs SET state = ?, stage = ?, error = ?, result = ?, eta_seconds = NULL, finished_at = ?,
         fraction = CASE WHEN ? = 'done' THEN 1 ELSE fraction END WHERE id = ?`,
      )
      .run(state, fields.stage, fields.error ?? null, fields.result === undefined ? null : JSON.stringify(fields.result), now(), state, id)
    this.emitState(id)
  }

  private settle(running: Running, state: JobState, fields: { stage: string; error?: string; result?: unknown }): void {
    if (this.running !== running) return
    clearTimeout(running.cancelTimer)
    this.running = null
    this.finish(running.id, state, fields)
    if (!this.closed) this.pump()
  }

  private inputFor(spec: JobSpec): unknown {
    switch (spec.kind) {
      case 'verifyArtifacts':
        return listArtifacts(this.project.db)
    }
  }

  private pump(): void {
    if (this.running || this.closed) return
    const next = this.project.db.prepare("SELECT * FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1").get() as
      | JobRow
      | undefined
    if (!next) return
    const spec = JSON.parse(next.spec) as JobSpec
    const data: WorkerData = { jobId: next.id, spec, input: this.inputFor(spec), projectDir: this.project.dir }
    this.project.db
      .prepare("UPDATE jobs SET state = 'running', stage = 'Starting', started_at = ? WHERE id = ?")
      .run(now(), next.id)
    const worker = new Worker(this.workerPath, { workerData: data })
    const running: Running = { id: next.id, worker, startedAt: performance.now(), lastEvent: 0, lastWrite: 0 }
    this.running = running
    this.emitState(next.id)
    worker.on('message', (message: FromWorker) => this.onMessage(running, message))
    worker.on('error', (err) => this.settle(running, 'failed', { stage: 'Failed', error: err.message }))
    worker.on('exit', (code) => {
      if (code !== 0) this.settle(running, 'failed', { stage: 'Failed', error: `The job's worker exited with code ${code}.` })
    })
  }

  private onMessage(running: Running, message: FromWorker): void {
    if (this.running !== running) return
    switch (message.type) {
      case 'progress':
        this.onProgress(running, message.fraction, message.stage)
        break
      case 'metric':
        this.project.db
          .prepare('INSERT OR REPLACE INTO job_metrics (job_id, name, step, value) VALUES (?, ?, ?, ?)')
          .run(running.id, message.name, message.step, message.value)
        this.events.emit({ type: 'job.metric', jobId: running.id, name: message.name, step: message.step, value: message.value })
        break
      case 'done':
        this.settle(running, 'done', { stage: 'Done', result: message.result })
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
    const progress: JobProgress = {
      fraction: Math.min(1, Math.max(0, fraction)),
      stage,
      etaSeconds: fraction > 0.01 && fraction < 1 ? (elapsed * (1 - fraction)) / fraction : null,
    }
    if (t - running.lastWrite >= DB_INTERVAL_MS) {
      running.lastWrite = t
      this.project.db
        .prepare("UPDATE jobs SET fraction = ?, stage = ?, eta_seconds = ? WHERE id = ? AND state = 'running'")
        .run(progress.fraction, progress.stage, progress.etaSeconds, running.id)
    }
    if (t - running.lastEvent >= EVENT_INTERVAL_MS || fraction >= 1) {
      running.lastEvent = t
      this.events.emit({ type: 'job.progress', jobId: running.id, progress })
    }
  }
}
