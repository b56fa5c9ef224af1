// Features per category as a job: a feature set of images averaged over each category of a concepts dataset (an
// image folder's subfolders), a new feature set whose objects are the categories, named by them.
import type { DatasetInfo, JobSpec } from '../../api/contract'
import { categoryMeans as means } from '../../core/data/categoryMeans'
import { objectNames } from '../../evaluate/objectOrder'
import type { JobContext, JobOutput } from '../protocol'
import { artifact, asFloat32 } from './projectArrays'

type CategoryMeansSpec = Extract<JobSpec, { kind: 'categoryMeans' }>
export interface CategoryMeansInput {
  features: DatasetInfo
  categories: DatasetInfo
}

export function categoryMeans(spec: CategoryMeansSpec, { features, categories }: CategoryMeansInput, ctx: JobContext): JobOutput {
  ctx.progress(0.1, `Averaging ${features.name} over the categories of ${categories.name}`)
  const array = artifact(ctx, features.artifact)
  const [n, p] = array.shape as [number, number]
  const m = means(
    { data: asFloat32(array), n, p, ids: objectNames(features), name: features.name },
    { membership: artifact(ctx, categories.artifact).data as Uint8Array, categories: categories.meta.categories as string[], names: objectNames(categories), name: categories.name },
  )
  const name = spec.name ?? `${features.name} · mean per category`
  const counts = { rows: n - m.uncategorised, minRows: Math.min(...m.counts), maxRows: Math.max(...m.counts) }
  const meta = { n: m.ids.length, p, ids: m.ids, meansOf: features.name, categoriesFrom: categories.name, ...counts, uncategorised: m.uncategorised, shared: m.shared, emptyCategories: m.empty.length }
  return {
    result: { dataset: 'features', name, n: m.ids.length, p, ...counts, uncategorised: m.uncategorised, shared: m.shared, emptyCategories: m.empty },
    outputs: { data: { dtype: '<f4', shape: [m.ids.length, p], data: m.data } },
    records: [{ kind: 'features', name, sourcePath: `means of dataset ${features.id} per category of dataset ${categories.id}`, output: 'data', meta }],
  }
}
