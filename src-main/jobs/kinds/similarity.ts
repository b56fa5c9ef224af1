import { join } from 'node:path'
import type { JobSpec } from '../../api/contract'
import { blockRows, createSimilarity } from '../../core/compute/kernels/similarity'
import { ARTIFACTS_DIR, type ArtifactRow } from '../../store/artifacts'
import { yieldForCancel, type JobContext, type JobOutput } from '../protocol'
import { readNpyFile } from '../../files/npyFile'

type SimilaritySpec = Extract<JobSpec, { kind: 'similarity' }>

/**
 * The n×n similarity matrix of a stored feature matrix, in row blocks on the worker's backend. The finished
 * rows are checkpointed, so a resumed job computes only the rest.
 */
export async function similarity(spec: SimilaritySpec, features: ArtifactRow, ctx: JobContext): Promise<JobOutput> {
  const array = readNpyFile(join(ctx.projectDir, ARTIFACTS_DIR, features.file))
  const [n, p] = array.shape as [number, number]
  const x = array.data as Float32Array
  const restored = ctx.restored
  const out = restored ? (restored.arrays.rows!.data as Float32Array) : new Float32Array(n * n)
  let next = restored ? (restored.state as { nextRow: number }).nextRow : 0
  const step = spec.blockRows ?? blockRows(n)
  const kernel = createSimilarity(x, n, p, spec.metric)
  let lastCheckpoint = performance.now()
  try {
    while (next < n) {
      await yieldForCancel(ctx.signal)
      const end = Math.min(n, next + step)
      out.set(await kernel.rows(next, end), next * n)
      next = end
      ctx.progress(next / n, `Rows ${next} of ${n}`)
      if (next < n && (performance.now() - lastCheckpoint) / 1000 >= spec.checkpointSeconds) {
        ctx.checkpoint({ nextRow: next }, { rows: { dtype: '<f4', shape: [n, n], data: out } })
        lastCheckpoint = performance.now()
      }
    }
  } finally {
    kernel.dispose()
  }
  return {
    result: { n, p, metric: spec.metric, backend: ctx.backend?.name ?? null },
    outputs: { similarity: { dtype: '<f4', shape: [n, n], data: out } },
  }
}
