// The triplet browser's data: triplets, soft labels and levels read once per dataset, each model's probabilities
// computed once in a task worker, and the last selection kept so that scrolling only slices it.
import { join } from 'node:path'
import type { DatasetInfo, TripletBrowseRequest, TripletPage } from '../api/contract'
import { AppError } from '../api/errors'
import type { BackendName } from '../core/compute/backendNames'
import { selectTriplets, type TripletViewData } from '../core/data/tripletView'
import { tripletProbabilitiesInWorker } from '../jobs/tasks'
import type { ModelProbabilities } from '../evaluate/tripletProbabilities'
import { datasetOrder, rowsInOrderOf } from '../evaluate/objectOrder'
import { ARTIFACTS_DIR, getArtifact, readArtifact } from '../store/artifacts'
import type { Db } from '../store/database'
import { requireDataset } from '../store/datasets'
import { objectLabels } from '../store/objectLabels'

/** Cached model probabilities (each N × 3 float32); enough for a few models of the THINGS triplets. */
const MAX_CACHED_MODELS = 6

interface Loaded {
  triplets: DatasetInfo
  data: Omit<TripletViewData, 'models'>
  levels: string[]
}

function dataset(db: Db, id: number): DatasetInfo {
  const found = requireDataset(db, id)
  return found
}

export class TripletBrowser {
  private loaded: Loaded | null = null
  private readonly models = new Map<string, Promise<ModelProbabilities>>()
  private selection: { key: string; order: Int32Array } | null = null

  constructor(
    private readonly workerDir: string,
    private readonly requestedBackend: () => BackendName | null,
  ) {}

  /** Forget everything (another project was opened). */
  clear(): void {
    this.loaded = null
    this.models.clear()
    this.selection = null
  }

  private load(db: Db, projectDir: string, id: number): Loaded {
    if (this.loaded?.triplets.id === id) return this.loaded
    const triplets = dataset(db, id)
    if (triplets.kind !== 'triplets' || !triplets.artifact) throw new AppError('user', `Dataset ${id} ("${triplets.name}") is ${triplets.kind}, not triplets.`)
    const indices = readArtifact(db, projectDir, triplets.artifact).data as Int32Array
    const soft = typeof triplets.meta.softLabels === 'string' ? (readArtifact(db, projectDir, triplets.meta.softLabels).data as Float32Array) : null
    const levels = typeof triplets.meta.conditionArtifact === 'string' ? (readArtifact(db, projectDir, triplets.meta.conditionArtifact).data as Int32Array) : null
    this.loaded = { triplets, data: { indices, count: indices.length / 3, soft, levels }, levels: (triplets.meta.conditionLevels as string[] | undefined) ?? [] }
    this.selection = null
    return this.loaded
  }

  private probabilities(db: Db, projectDir: string, triplets: DatasetInfo, modelId: number, similarity: TripletBrowseRequest['similarity']): Promise<ModelProbabilities> {
    const model = dataset(db, modelId)
    if (model.kind !== 'features' || !model.artifact) throw new AppError('user', `Dataset ${modelId} ("${model.name}") is ${model.kind}; the browser shows the choices of feature sets.`)
    if (Number(model.shape[0]) !== Number(triplets.meta.objects)) {
      throw new AppError('user', `"${model.name}" has ${model.shape[0]} objects but "${triplets.name}" refers to ${String(triplets.meta.objects)}; choose features of the same objects.`)
    }
    const key = `${triplets.id}:${modelId}:${similarity}`
    let found = this.models.get(key)
    if (!found) {
      const file = (sha: string) => join(projectDir, ARTIFACTS_DIR, getArtifact(db, sha)!.file)
      const order = datasetOrder(triplets, model)
      found = tripletProbabilitiesInWorker(this.workerDir, { features: file(model.artifact), triplets: file(triplets.artifact!) }, similarity, this.requestedBackend(), order)
      found.catch(() => this.models.delete(key))
      if (this.models.size >= MAX_CACHED_MODELS) this.models.delete(this.models.keys().next().value!)
      this.models.set(key, found)
    }
    return found
  }

  async page(db: Db, projectDir: string, request: TripletBrowseRequest): Promise<TripletPage> {
    const started = performance.now()
    const { triplets, data, levels } = this.load(db, projectDir, request.triplets)
    const fitted = await Promise.all(request.models.map((id) => this.probabilities(db, projectDir, triplets, id, request.similarity)))
    const models = fitted.map((m) => m.probabilities)
    const objects = Number(triplets.meta.objects)
    if (request.object !== null && request.object >= objects) throw new AppError('user', `There is no object ${request.object}; the triplets refer to objects 0…${objects - 1}.`)
    let inCategory: Uint8Array | null = null
    if (request.categoriesFrom !== null && request.category !== null) {
      const labels = objectLabels(db, projectDir, request.categoriesFrom)
      if (labels.names.length !== objects) throw new AppError('user', `"${labels.source}" names ${labels.names.length} objects but the triplets refer to ${objects}.`)
      if (request.category >= labels.categories.length) throw new AppError('user', `"${labels.source}" has ${labels.categories.length} categories; there is no category ${request.category}.`)
      const concepts = dataset(db, request.categoriesFrom)
      const membership = rowsInOrderOf([triplets], concepts, readArtifact(db, projectDir, concepts.artifact!).data as Uint8Array, labels.categories.length)
      inCategory = Uint8Array.from({ length: objects }, (_, i) => membership[i * labels.categories.length + request.category!]!)
    }
    const { offset, limit, ...query } = request
    const key = JSON.stringify(query)
    if (this.selection?.key !== key) {
      const view = { ...data, models }
      const order = selectTriplets(view, { agreement: request.agreement, inCategory, level: request.level, entropy: request.entropy, object: request.object }, request.sort)
      this.selection = { key, order }
    }
    const order = this.selection.order
    const rows = Array.from(order.subarray(offset, offset + limit), (t) => ({
      index: t,
      objects: [data.indices[3 * t]!, data.indices[3 * t + 1]!, data.indices[3 * t + 2]!] as [number, number, number],
      soft: data.soft ? Array.from(data.soft.subarray(3 * t, 3 * t + 3)) : null,
      level: data.levels ? (levels[data.levels[t]!] ?? null) : null,
      models: models.map((m) => Array.from(m.subarray(3 * t, 3 * t + 3))),
    }))
    return {
      total: order.length,
      count: data.count,
      objects,
      offset,
      rows,
      models: request.models.map((id, k) => ({ id, name: dataset(db, id).name, temperature: fitted[k]!.temperature })),
      levels,
      hasSoftLabels: data.soft !== null,
      milliseconds: performance.now() - started,
    }
  }
}
