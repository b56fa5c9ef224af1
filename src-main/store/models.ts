// The models added to a project (user TF.js folders); built-in models are not stored, they install with the app.
import { existsSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { ModelInfo, ModelSummary } from '../api/contract'
import { AppError } from '../api/errors'
import type { Db } from './database'

export function listUserModels(db: Db): ModelSummary[] {
  const rows = db.prepare("SELECT name, source, meta FROM models WHERE source LIKE 'folder:%' ORDER BY id").all() as { name: string; source: string; meta: string }[]
  return rows.map((r) => {
    const meta = JSON.parse(r.meta) as { title?: string; description?: string }
    return { id: r.source.slice('folder:'.length), title: meta.title ?? r.name, source: 'folder', description: meta.description ?? '' }
  })
}

/** Where models trained in the project (AligNet students) are kept, one folder each. */
export const MODELS_DIR = 'models'

/** Records a user model (again: its description is refreshed). */
export function addUserModel(db: Db, info: Pick<ModelInfo, 'id' | 'title' | 'description'> & Partial<ModelInfo>): void {
  const meta = JSON.stringify({ title: info.title, description: info.description, format: info.format, inputSize: info.inputSize, parameters: info.parameters })
  db.prepare(
    'INSERT INTO models (name, source, meta, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET source = excluded.source, meta = excluded.meta',
  ).run(info.id, `folder:${info.id}`, meta, new Date().toISOString())
}

/**
 * Takes a model off the project's list. Features extracted with it stay; its folder stays where it is until
 * reclaimStorage deletes it, and only when it lies in the project's models/ (a student trained here).
 */
export function removeUserModel(db: Db, id: string): ModelSummary {
  const found = listUserModels(db).find((m) => m.id === id)
  if (!found) throw new AppError('not_found', `There is no model ${id} in this project; the built-in models cannot be removed.`)
  db.prepare('DELETE FROM models WHERE source = ?').run(`folder:${id}`)
  return found
}

/**
 * Points the models trained in the project (recorded by absolute path, in its models/) at the project's folder as it
 * is now: after the project was moved or copied, they still open. Returns how many were moved.
 */
export function relocateProjectModels(db: Db, projectDir: string): number {
  const rows = db.prepare("SELECT id, source FROM models WHERE source LIKE 'folder:%'").all() as { id: number; source: string }[]
  // OR IGNORE: a model already recorded at the new place keeps its row.
  const update = db.prepare('UPDATE OR IGNORE models SET name = ?, source = ? WHERE id = ?')
  let moved = 0
  for (const row of rows) {
    const recorded = row.source.slice('folder:'.length)
    const here = join(projectDir, MODELS_DIR, basename(recorded))
    if (recorded === here || existsSync(recorded) || basename(dirname(recorded)) !== MODELS_DIR || !existsSync(here)) continue
    moved += update.run(here, `folder:${here}`, row.id).changes
  }
  return moved
}
