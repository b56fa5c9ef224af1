// The models added to a project (user TF.js folders); built-in models are not stored, they install with the app.
import type { ModelInfo, ModelSummary } from '../api/contract'
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
