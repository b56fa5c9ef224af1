// A GW run's transport plan: where the run stored it, and written as a .npy file — rows A's objects, columns B's in
// B's own order (the run keeps them in A's, by name), as `humanalign gw --out` writes the plan of files.
import type { RunInfo } from '../api/contract'
import { AppError } from '../api/errors'
import { restoreColumns } from '../core/data/objectNames'
import { encodeNpy } from '../core/io/npy'
import { datasetOrder } from '../evaluate/objectOrder'
import { readArtifact, writeFileAtomic } from './artifacts'
import type { Db } from './database'
import { getDataset } from './datasets'
import { requireRun } from './runs'

/** A GW run and the address of its plan; other runs are refused. */
export function requireGwPlan(db: Db, id: number): { run: RunInfo; sha: string } {
  const run = requireRun(db, id)
  const sha = (run.result as { outputs?: { plan?: string } } | null)?.outputs?.plan
  if (run.kind !== 'gw' || !sha) throw new AppError('user', `Run ${id} is ${run.kind}, not a GW alignment with a plan.`)
  return { run, sha }
}

export function exportPlan(db: Db, projectDir: string, id: number, path: string): { path: string; n: number } {
  const { run, sha } = requireGwPlan(db, id)
  if (!path.endsWith('.npy')) throw new AppError('user', `${path}: a plan is written as a .npy file; end the name with .npy.`)
  const plan = readArtifact(db, projectDir, sha)
  const n = plan.shape[0]!
  const params = run.params as { a?: number; b?: number }
  const [a, b] = [params.a, params.b].map((d) => (d === undefined ? undefined : getDataset(db, d)))
  const order = a && b ? datasetOrder(a, b) : null
  const data = plan.data as Float32Array
  writeFileAtomic(path, encodeNpy({ dtype: plan.dtype, shape: [n, n], data: order ? restoreColumns(data, n, order) : data }))
  return { path, n }
}
