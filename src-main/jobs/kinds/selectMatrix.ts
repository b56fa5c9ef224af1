// Some matrices of a dataset of several (a subject's judgments; the human IT RDM beside the monkey's; half of the
// subjects, to hold the others out) as a dataset of their own, so that RSA, GW, maps and comparisons take them alone
// rather than the mean of all.
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { matrixNames, matrixRanges } from '../../api/matrixNames'
import type { JobContext, JobOutput } from '../protocol'
import { artifact } from './projectArrays'

type SelectMatrixSpec = Extract<JobSpec, { kind: 'selectMatrix' }>

export function selectMatrix(spec: SelectMatrixSpec, dataset: DatasetInfo, ctx: JobContext): JobOutput {
  const array = artifact(ctx, dataset.artifact)
  const n = array.shape[array.shape.length - 1]!
  const chosen = typeof spec.matrix === 'number' ? [spec.matrix] : spec.matrix
  const all = matrixNames(dataset)
  const names = chosen.map((m) => all[m]!)
  const label = chosen.length === 1 ? names[0]! : `matrices ${matrixRanges(chosen)}`
  ctx.progress(0.5, `Taking ${label} of ${dataset.name}`)
  const source = array.data as Float64Array
  const data = new Float64Array(chosen.length * n * n)
  chosen.forEach((m, k) => data.set(source.subarray(m * n * n, (m + 1) * n * n), k * n * n))
  const name = spec.name ?? `${dataset.name} · ${label}`
  const { ids, idsFrom, measure } = dataset.meta
  // Where they came from (which dataset, which of its matrices), so that what a probe was fitted to can be told from
  // what is held out; several keep their names: "matrix 9" stays matrix 9 of the dataset it was taken from.
  const meta = { n, subjects: chosen.length, measure, matrixOf: dataset.name, matrixOfDataset: dataset.id, matrices: chosen, matrix: label, ...(chosen.length > 1 ? { subjectsFrom: names } : {}), ...(ids ? { ids, idsFrom } : {}) }
  return {
    result: { dataset: 'similarity', name, n, matrix: label, matrices: chosen.length, matrixOf: dataset.name },
    outputs: { data: { dtype: '<f8', shape: chosen.length === 1 ? [n, n] : [chosen.length, n, n], data } },
    records: [{ kind: 'similarity', name, sourcePath: `${chosen.length === 1 ? `matrix ${chosen[0]! + 1} (${label})` : label} of dataset ${dataset.id}`, output: 'data', meta }],
  }
}
