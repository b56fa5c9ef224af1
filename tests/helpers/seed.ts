import { closeSync, ftruncateSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { putArray, type ArtifactRow } from '../../src-main/store/artifacts'
import type { Project } from '../../src-main/store/project'

/** The built worker entries (jobWorker.js, taskWorker.js). */
export const WORKER_DIR = join(__dirname, '..', '..', 'out', 'main')
export const EXAMPLES_DIR = join(__dirname, '..', '..', 'resources', 'examples')

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

/**
 * Records one artifact backed by a sparse file of `gib` GiB (no disk used), so that verifying it takes seconds:
 * long enough to watch a progress bar and cancel. Its content does not match its name, which verification reports.
 */
export function seedSparseArtifact(project: Project, gib: number): void {
  const sha256 = 'f'.repeat(64)
  const file = `${sha256}.npy`
  const fd = openSync(join(project.dir, 'artifacts', file), 'w')
  ftruncateSync(fd, gib * 1024 ** 3)
  closeSync(fd)
  project.db
    .prepare("INSERT INTO artifacts (sha256, file, dtype, shape, bytes, created_at) VALUES (?, ?, '|u1', ?, ?, 'now')")
    .run(sha256, file, JSON.stringify([gib * 1024 ** 3]), gib * 1024 ** 3)
}
