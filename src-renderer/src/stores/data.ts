import type { DatasetInfo, DatasetKind, FileSummary, JobSpec, OpInput } from '@api/contract'
import { freedText } from '@api/format'
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { client } from './client'
import { useJobs } from './jobs'
import { useProject } from './project'
import { useToasts } from './toasts'

export type ImportSpec = Extract<JobSpec, { kind: 'import' }>

export const useData = defineStore('data', () => {
  const datasets = ref<DatasetInfo[]>([])
  const preview = ref<FileSummary | null>(null)
  const inspecting = ref(false)
  const toasts = useToasts()
  const jobs = useJobs()

  /** The project the list belongs to: a reload of the same project keeps it (and the forms' choices) meanwhile. */
  let listedFor: string | null = null
  async function load(): Promise<void> {
    // Never show (or act on) another project's datasets while this one's are loading.
    const path = useProject().current?.path ?? null
    if (path !== listedFor) datasets.value = []
    listedFor = path
    try {
      datasets.value = await client().call('datasets.list', {})
    } catch (err) {
      toasts.error(err)
    }
  }

  /** What a file holds; `header` says whether a table's first row names its columns (unset: detected). */
  async function inspect(path: string, header?: boolean): Promise<void> {
    inspecting.value = true
    preview.value = null
    try {
      preview.value = await client().call('files.inspect', { path, ...(header === undefined ? {} : { header }) })
    } catch (err) {
      toasts.error(err)
    } finally {
      inspecting.value = false
    }
  }

  /** Starts the import job. */
  const importFile = (spec: Omit<ImportSpec, 'kind' | 'measure'> & { dataset: DatasetKind; measure?: ImportSpec['measure'] }) => startJob({ kind: 'import', ...spec })

  /** Starts a job that adds a dataset (true when it started); the dataset list refreshes when it is done (project.changed). */
  async function startJob(spec: OpInput<'jobs.start'>): Promise<boolean> {
    try {
      jobs.upsert(await client().call('jobs.start', spec))
      return true
    } catch (err) {
      toasts.error(err)
      return false
    }
  }

  /** Simulated THINGS triplets from the bundled SPoSE embedding (a stand-in for the real 4.7 M). */
  const simulate = (count: number, seed: number) => startJob({ kind: 'simulateTriplets', embedding: 'spose66', count, seed })

  /** Every triplet of a similarity dataset's objects, its subjects' matrices voting. */
  const deriveTriplets = (dataset: number, name: string) => startJob({ kind: 'deriveTriplets', dataset, ...(name ? { name } : {}) })

  /** Features of images averaged over each category of a concepts dataset (an image folder's subfolders). */
  const categoryMeans = (features: number, categories: number, name: string) => startJob({ kind: 'categoryMeans', features, categories, ...(name ? { name } : {}) })

  /** One matrix of a dataset of several (a subject's, or human IT beside monkey IT) as a dataset of its own. */
  const selectMatrix = (dataset: number, matrix: number | number[], name: string) => startJob({ kind: 'selectMatrix', dataset, matrix, ...(name ? { name } : {}) })

  /** Renames a dataset; true when it was renamed. The list is read again (a rename changes no count). */
  async function rename(id: number, name: string): Promise<boolean> {
    try {
      await client().call('datasets.rename', { id, name })
      await load()
      return true
    } catch (err) {
      toasts.error(err)
      return false
    }
  }

  /** Takes a dataset off the project's lists (the list reloads on project.changed). */
  async function remove(id: number): Promise<void> {
    try {
      const removed = await client().call('datasets.remove', { id })
      toasts.show('info', `Removed "${removed.dataset.name}" from the project. ${freedText(removed.freed)}`.trim())
    } catch (err) {
      toasts.error(err)
    }
  }

  return { datasets, preview, inspecting, load, inspect, importFile, simulate, deriveTriplets, categoryMeans, selectMatrix, rename, remove, clearPreview: () => (preview.value = null) }
})
