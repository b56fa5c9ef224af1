import { join } from 'node:path'
import { putArray, type ArtifactRow } from '../../src-main/store/artifacts'
import type { Project } from '../../src-main/store/project'

export const WORKER_PATH = join(__dirname, '..', '..', 'out', 'main', 'jobWorker.js')

/** Stores `count` distinct float32 arrays of `mib` MiB each, so a job has real bytes to chew on. */
export function seedArtifacts(project: Project, count: number, mib: number): ArtifactRow[] {
  const n = (mib * 1024 * 1024) / 4
  const rows: ArtifactRow[] = []
  for (let i = 0; i < count; i++) {
    const data = new Float32Array(n)
    for (let k = 0; k < n; k += 4096) data[k] = i + k
    rows.push(putArray(project.db, project.dir, { dtype: '<f4', shape: [n / 256, 256], data }))
  }
  return rows
}
