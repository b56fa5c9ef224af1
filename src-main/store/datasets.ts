import type { DatasetInfo, DatasetKind } from '../api/contract'
import { AppError } from '../api/errors'
import type { Db } from './database'

/** Image sets live in <project>/images/<folder>/. */
export const IMAGES_DIR = 'images'

interface Row {
  id: number
  kind: DatasetKind
  name: string
  source_path: string | null
  artifact: string | null
  shape: string | null
  meta: string
  created_at: string
}

const SHORTENED = ['ids', 'names', 'wordnetIds', 'files', 'widths', 'heights']

function toInfo(r: Row, full: boolean): DatasetInfo {
  const meta = JSON.parse(r.meta) as Record<string, unknown>
  if (!full) {
    // Long arrays (object ids, names) are shown as their length in lists.
    for (const key of SHORTENED) if (Array.isArray(meta[key])) meta[key] = `${(meta[key] as unknown[]).length} ${key}`
    if (Array.isArray(meta.categories)) meta.categories = `${(meta.categories as unknown[]).length} categories`
  }
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    sourcePath: r.source_path,
    artifact: r.artifact,
    shape: r.shape ? (JSON.parse(r.shape) as number[]) : [],
    meta,
    createdAt: r.created_at,
  }
}

const SELECT = 'SELECT d.*, a.shape FROM datasets d LEFT JOIN artifacts a ON a.sha256 = d.artifact'

/** One dataset with its full metadata. */
export function getDataset(db: Db, id: number): DatasetInfo | undefined {
  const row = db.prepare(`${SELECT} WHERE d.id = ?`).get(id) as Row | undefined
  return row ? toInfo(row, true) : undefined
}

/** The project's datasets, newest first, long metadata arrays shortened to their length. */
export function listDatasets(db: Db): DatasetInfo[] {
  return (db.prepare(`${SELECT} ORDER BY d.id DESC`).all() as Row[]).map((row) => toInfo(row, false))
}

/** Records a dataset (and, for features, its feature set); call inside the transaction that stored its artifact. */
export function insertDataset(db: Db, record: { kind: DatasetKind; name: string; sourcePath: string; meta: Record<string, unknown> }, artifact: string | null): number {
  const now = new Date().toISOString()
  const { lastInsertRowid } = db
    .prepare('INSERT INTO datasets (kind, name, source_path, artifact, meta, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(record.kind, record.name, record.sourcePath, artifact, JSON.stringify(record.meta), now)
  const id = Number(lastInsertRowid)
  if (record.kind === 'features') {
    db.prepare('INSERT INTO feature_sets (name, dataset_id, artifact, n, p, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      record.name,
      id,
      artifact,
      Number(record.meta.n),
      Number(record.meta.p),
      '{}',
      now,
    )
  }
  return id
}

/** One dataset with its full metadata, or the user's not-found error naming the id. */
export function requireDataset(db: Db, id: number): DatasetInfo {
  const found = getDataset(db, id)
  if (!found) throw new AppError('not_found', `There is no dataset ${id} in this project.`)
  return found
}

/** Gives a dataset (and its feature set) a new name; runs made from it keep the name they were made with. */
export function renameDataset(db: Db, id: number, name: string): DatasetInfo {
  requireDataset(db, id)
  db.transaction(() => {
    db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id)
    db.prepare('UPDATE feature_sets SET name = ? WHERE dataset_id = ?').run(name, id)
  })()
  return getDataset(db, id)!
}

/**
 * Takes a dataset (and its feature set) off the project's lists. Its arrays and images stay in the project folder
 * until reclaimStorage frees those that nothing else refers to (arrays are shared by content).
 */
export function removeDataset(db: Db, id: number): DatasetInfo {
  const removed = requireDataset(db, id)
  db.transaction(() => {
    db.prepare('DELETE FROM feature_sets WHERE dataset_id = ?').run(id)
    db.prepare('DELETE FROM datasets WHERE id = ?').run(id)
  })()
  return removed
}
