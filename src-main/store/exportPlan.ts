// A GW run's transport plan written as a .npy file: rows are A's objects, columns B's in B's own order (the run keeps
// them in A's, by name), as `humanalign gw --out` writes the plan of files.
import { AppError } from '../api/errors'
import { restoreColumns } from '../core/data/objectNames'
import { encodeNpy } from '../core/io/npy'
import { datasetOrder } from '../evaluate/objectOrder'
import { readArtifact, writeFileAtomic } from './artifacts'
import type { Db } from './database'
import { getDataset } from './datasets'
import { getRun } from './runs'

export function exportPlan(db: Db, projectDir: string, id: number, path: string): { path: string; n: number } {
  const run = getRun(db, id)
  if (!run) throw new AppError('user', `There is no run ${id} in this project.`)
  const sha = (run.result as { outputs?: { plan?: string } } | null)?.outputs?.plan
  if (run.kind !== 'gw' || !sha) throw new AppError('user', `Run ${id} is ${run.kind}, not a GW alignment with a plan.`)
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
