// One matrix of a dataset of several (a subject's judgments; the human IT RDM beside the monkey's) as a dataset of
// its own, so that RSA, GW, maps and comparisons take it alone rather than the mean of all.
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { matrixNames } from '../../api/matrixNames'
import type { JobContext, JobOutput } from '../protocol'
import { artifact } from './projectArrays'

type SelectMatrixSpec = Extract<JobSpec, { kind: 'selectMatrix' }>

export function selectMatrix(spec: SelectMatrixSpec, dataset: DatasetInfo, ctx: JobContext): JobOutput {
  const array = artifact(ctx, dataset.artifact)
  const n = array.shape[array.shape.length - 1]!
  const label = matrixNames(dataset)[spec.matrix]!
  ctx.progress(0.5, `Taking ${label} of ${dataset.name}`)
  const data = (array.data as Float64Array).slice(spec.matrix * n * n, (spec.matrix + 1) * n * n)
  const name = spec.name ?? `${dataset.name} · ${label}`
  const { ids, idsFrom, measure } = dataset.meta
  const meta = { n, subjects: 1, measure, matrixOf: dataset.name, matrix: label, ...(ids ? { ids, idsFrom } : {}) }
  return {
    result: { dataset: 'similarity', name, n, matrix: label, matrixOf: dataset.name },
    outputs: { data: { dtype: '<f8', shape: [n, n], data } },
    records: [{ kind: 'similarity', name, sourcePath: `matrix ${spec.matrix + 1} (${label}) of dataset ${dataset.id}`, output: 'data', meta }],
  }
}
