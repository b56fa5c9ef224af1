// A probe run's affine transform, from the arrays the run stored: applied to features by a job, used by AligNet's
// clustering, and written in gLocal's transform.npz layout for Python tools.
import type { RunInfo } from '../api/contract'
import { AppError } from '../api/errors'
import { encodeNpz } from '../core/io/npz'
import type { NpyArray } from '../core/io/npy'
import { transformArrays, transformFromArrays, type AffineTransform } from '../core/probe/transform'
import { readArtifact, writeFileAtomic } from './artifacts'
import type { Db } from './database'
import { requireRun } from './runs'

/** The transform of a probe run; `read` gives a stored array by its address. */
export function runTransform(run: RunInfo, read: (sha: string) => NpyArray): AffineTransform {
  const result = run.result as { outputs?: { weights?: string; bias?: string }; mean?: number; std?: number } | null
  if (run.kind !== 'probe' || !result?.outputs?.weights) throw new AppError('user', `Run ${run.id} is ${run.kind}, not a probe with a transform.`)
  return transformFromArrays({
    weights: read(result.outputs.weights),
    ...(result.outputs.bias ? { bias: read(result.outputs.bias) } : {}),
    mean: { dtype: '<f8', shape: [], data: Float64Array.of(result.mean ?? 0) },
    std: { dtype: '<f8', shape: [], data: Float64Array.of(result.std ?? 1) },
  })
}

/** Writes a probe run's transform as gLocal's transform.npz (weights p×q, bias, mean, std) at `path`. */
export function exportTransform(db: Db, projectDir: string, id: number, path: string): { path: string; p: number; q: number } {
  const run = requireRun(db, id)
  if (!path.endsWith('.npz')) throw new AppError('user', `${path}: a transform is written as an .npz file (gLocal's transform.npz); end the name with .npz.`)
  const transform = runTransform(run, (sha) => readArtifact(db, projectDir, sha))
  writeFileAtomic(path, encodeNpz(transformArrays(transform)))
  return { path, p: transform.p, q: transform.q }
}
