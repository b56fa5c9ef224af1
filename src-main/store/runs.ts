import type { RunInfo } from '../api/contract'
import { AppError } from '../api/errors'
import type { Db } from './database'

/** Records a finished evaluation of the project; returns its id. */
export function insertRun(db: Db, run: { kind: string; name: string; params: unknown; result: unknown }): number {
  const { lastInsertRowid } = db
    .prepare('INSERT INTO runs (kind, name, params, result, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(run.kind, run.name, JSON.stringify(run.params), JSON.stringify(run.result), new Date().toISOString())
  return Number(lastInsertRowid)
}

export function listRuns(db: Db): RunInfo[] {
  const rows = db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as { id: number; kind: string; name: string; params: string; result: string | null; created_at: string }[]
  return rows.map((r) => ({ id: r.id, kind: r.kind, name: r.name, params: JSON.parse(r.params) as unknown, result: r.result === null ? null : (JSON.parse(r.result) as unknown), createdAt: r.created_at }))
}

export function getRun(db: Db, id: number): RunInfo | undefined {
  return listRuns(db).find((r) => r.id === id)
}

/** The run, or a message that the project has none of that id. */
export function requireRun(db: Db, id: number): RunInfo {
  const run = getRun(db, id)
  if (!run) throw new AppError('not_found', `There is no run ${id} in this project.`)
  return run
}

/**
 * Takes a run off the project's results; the arrays it stored (a probe's weights, a plan)
 * stay in artifacts/ until reclaimStorage frees those that nothing else refers to.
 */
export function removeRun(db: Db, id: number): RunInfo {
  const run = requireRun(db, id)
  db.prepare('DELETE FROM runs WHERE id = ?').run(id)
  return run
}
