// The jobs of a project: rows in project.sqlite, plus transient jobs that live only in memory (an import: its
// lasting record is the dataset it adds, and one that fails must leave the project byte-identical).
import type { JobState } from '../api/contract'
import type { Db } from '../store/database'

export interface JobRow {
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

type Fields = Partial<Omit<JobRow, 'id' | 'kind' | 'spec' | 'created_at'>>
const COLUMNS = ['state', 'fraction', 'stage', 'eta_seconds', 'error', 'result', 'backend', 'checkpoint_at', 'started_at', 'finished_at'] as const

export class JobTable {
  private readonly transient = new Map<number, JobRow>()
  private nextTransient = -1

  constructor(private readonly db: Db) {}

  insert(kind: string, spec: string, transient: boolean): number {
    const created = new Date().toISOString()
    if (transient) {
      const id = this.nextTransient--
      this.transient.set(id, {
        id, kind, spec, state: 'queued', fraction: 0, stage: 'Queued', eta_seconds: null, error: null, result: null,
        backend: null, checkpoint_at: null, created_at: created, started_at: null, finished_at: null,
      })
      return id
    }
    const { lastInsertRowid } = this.db
      .prepare("INSERT INTO jobs (kind, spec, state, stage, created_at) VALUES (?, ?, 'queued', 'Queued', ?)")
      .run(kind, spec, created)
    return Number(lastInsertRowid)
  }

  get(id: number): JobRow | undefined {
    return id < 0 ? this.transient.get(id) : (this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined)
  }

  /** Newest first: transient jobs of this session, then the project's. */
  list(limit = 200): JobRow[] {
    const stored = this.db.prepare('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit) as JobRow[]
    return [...[...this.transient.values()].reverse(), ...stored]
  }

  /** Queued jobs in the order they were queued. */
  queued(): JobRow[] {
    const stored = this.db.prepare("SELECT * FROM jobs WHERE state = 'queued' ORDER BY id").all() as JobRow[]
    return [...stored, ...[...this.transient.values()].filter((r) => r.state === 'queued')].sort((a, b) => a.created_at.localeCompare(b.created_at))
  }

  /** Sets fields; with `onlyIf`, only while the job is in that state. */
  update(id: number, fields: Fields, onlyIf?: JobState): void {
    const row = id < 0 ? this.transient.get(id) : undefined
    if (id < 0) {
      if (row && (!onlyIf || row.state === onlyIf)) Object.assign(row, fields)
      return
    }
    const keys = COLUMNS.filter((c) => c in fields)
    if (!keys.length) return
    const sql = `UPDATE jobs SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?${onlyIf ? ' AND state = ?' : ''}`
    this.db.prepare(sql).run(...keys.map((k) => fields[k] ?? null), id, ...(onlyIf ? [onlyIf] : []))
  }

  addMetric(id: number, name: string, step: number, value: number): void {
    if (id < 0) return
    this.db.prepare('INSERT OR REPLACE INTO job_metrics (job_id, name, step, value) VALUES (?, ?, ?, ?)').run(id, name, step, value)
  }

  metrics(id: number): { name: string; step: number; value: number }[] {
    if (id < 0) return []
    return this.db.prepare('SELECT name, step, value FROM job_metrics WHERE job_id = ? ORDER BY name, step').all(id) as { name: string; step: number; value: number }[]
  }

  /** Jobs a stopped process left queued or running cannot go on by themselves: they become resumable failures. */
  interruptLeftovers(message: string): void {
    this.db
      .prepare("UPDATE jobs SET state = 'failed', error = ?, eta_seconds = NULL, finished_at = ? WHERE state IN ('queued', 'running')")
      .run(message, new Date().toISOString())
  }
}
