// What the main thread needs to know of each job kind: which queue it waits in, whether its worker needs a
// compute backend, and what it reads from the project database before it starts.
import { existsSync } from 'node:fs'
import type { JobKind, JobSpec } from '../api/contract'
import { AppError } from '../api/errors'
import { getArtifact, listArtifacts } from '../store/artifacts'
import type { Db } from '../store/database'
import { matrixCount, matrixNames } from '../api/matrixNames'
import { requireDataset } from '../store/datasets'
import { requireRun } from '../store/runs'
import { modelSource } from '../models/sources'

/** One job at a time per lane: the compute lane holds the GPU (or the CPU cores); file checks use the disk. */
export type Lane = 'compute' | 'io'

export interface KindInfo {
  lane: Lane
  computes: boolean
  /** Kept in memory only: its lasting record is what it stores (an import's dataset). */
  transient?: boolean
  /** Reads and checks the job's inputs; throws an AppError naming what is wrong. */
  input(db: Db, spec: JobSpec): unknown
}

/** What an import checks against: the object list another dataset of the project defines. */
export interface ObjectList {
  id: number
  name: string
  n: number
  /** What the objects are called (features' and images' ids, concepts' names), for tables that name them. */
  ids: string[] | null
}

function objectList(db: Db, id: number): ObjectList {
  const dataset = requireDataset(db, id)
  const n = Number(dataset.meta.n)
  if (dataset.kind === 'triplets' || !Number.isInteger(n)) {
    throw new AppError('user', `Dataset ${id} ("${dataset.name}") is ${dataset.kind}; choose a dataset that lists objects (features or a similarity matrix).`)
  }
  const ids = [dataset.meta.ids, dataset.meta.names].find((list): list is string[] => Array.isArray(list) && list.length === n)
  return { id, name: dataset.name, n, ids: ids ?? null }
}

const KIND_NAMES = { features: 'features', triplets: 'triplets', images: 'an image set', concepts: 'concepts with categories' }

function datasetOfKind(db: Db, id: number, kind: keyof typeof KIND_NAMES) {
  const found = requireDataset(db, id)
  if (found.kind !== kind) throw new AppError('user', `Dataset ${id} ("${found.name}") is ${found.kind}, not ${KIND_NAMES[kind]}.`)
  return found
}

/** A feature set or similarity matrices; `what` completes "… feature sets or similarity matrices". */
function representation(db: Db, id: number, what: string) {
  const found = requireDataset(db, id)
  if (found.kind !== 'features' && found.kind !== 'similarity') throw new AppError('user', `Dataset ${id} ("${found.name}") is ${found.kind}; ${what} feature sets or similarity matrices.`)
  return found
}

const RUN_KINDS = { probe: 'a probe with a transform', alignetClusters: 'an AligNet clustering', attention: 'attention maps of an image set' }

function runOfKind(db: Db, id: number, kind: keyof typeof RUN_KINDS) {
  const found = requireRun(db, id)
  if (found.kind !== kind) throw new AppError('user', `Run ${id} is ${found.kind}, not ${RUN_KINDS[kind]}.`)
  return found
}

export const catalog: Record<JobKind, KindInfo> = {
  verifyArtifacts: { lane: 'io', computes: false, input: (db) => listArtifacts(db) },
  import: {
    lane: 'io',
    computes: false,
    transient: true,
    input(db, spec) {
      const { objectsFrom } = spec as Extract<JobSpec, { kind: 'import' }>
      return objectsFrom === undefined ? null : { objects: objectList(db, objectsFrom) }
    },
  },
  simulateTriplets: { lane: 'compute', computes: false, input: () => null },
  evaluate: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { metric, a, b, categoriesFrom } = spec as Extract<JobSpec, { kind: 'evaluate' }>
      if (metric !== 'ceiling' && b === undefined) throw new AppError('user', `${metric} compares two datasets; choose the second as b.`)
      const find = (id: number) => requireDataset(db, id)
      const categories = categoriesFrom === undefined ? null : find(categoriesFrom)
      if (categories && categories.kind !== 'concepts') throw new AppError('user', `Dataset ${categoriesFrom} ("${categories.name}") is ${categories.kind}, not concepts with categories.`)
      return { a: find(a), b: b === undefined ? null : find(b), categories }
    },
  },
  extract: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { images, model } = spec as Extract<JobSpec, { kind: 'extract' }>
      // Built-in ids and folders are checked here, before a worker starts.
      modelSource(model)
      return datasetOfKind(db, images, 'images')
    },
  },
  probe: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { features, triplets } = spec as Extract<JobSpec, { kind: 'probe' }>
      return { features: datasetOfKind(db, features, 'features'), triplets: datasetOfKind(db, triplets, 'triplets') }
    },
  },
  applyTransform: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { run, features } = spec as Extract<JobSpec, { kind: 'applyTransform' }>
      return { run: runOfKind(db, run, 'probe'), features: datasetOfKind(db, features, 'features') }
    },
  },
  alignetClusters: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { features, transformRun } = spec as Extract<JobSpec, { kind: 'alignetClusters' }>
      return { features: datasetOfKind(db, features, 'features'), transformRun: transformRun === undefined ? null : runOfKind(db, transformRun, 'probe') }
    },
  },
  alignetTriplets: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const clusters = runOfKind(db, (spec as Extract<JobSpec, { kind: 'alignetTriplets' }>).clustersRun, 'alignetClusters')
      const params = clusters.params as { features: number; transformRun?: number }
      return { clusters, features: datasetOfKind(db, params.features, 'features'), transformRun: params.transformRun === undefined ? null : runOfKind(db, params.transformRun, 'probe') }
    },
  },
  alignetDistill: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { triplets, images, model } = spec as Extract<JobSpec, { kind: 'alignetDistill' }>
      modelSource(model)
      return { triplets: datasetOfKind(db, triplets, 'triplets'), images: datasetOfKind(db, images, 'images') }
    },
  },
  alignetEvaluate: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { base, aligned, triplets, rdms, labelsFrom } = spec as Extract<JobSpec, { kind: 'alignetEvaluate' }>
      if (triplets === undefined && rdms === undefined && labelsFrom === undefined) throw new AppError('user', 'Nothing to evaluate on: choose human triplets, human similarity matrices, or categories.')
      const similarity = (id: number) => {
        const found = requireDataset(db, id)
        if (found.kind !== 'similarity') throw new AppError('user', `Dataset ${id} ("${found.name}") is ${found.kind}, not similarity matrices.`)
        return found
      }
      return {
        base: datasetOfKind(db, base, 'features'),
        aligned: datasetOfKind(db, aligned, 'features'),
        triplets: triplets === undefined ? null : datasetOfKind(db, triplets, 'triplets'),
        rdms: rdms === undefined ? null : similarity(rdms),
        concepts: labelsFrom === undefined ? null : datasetOfKind(db, labelsFrom, 'concepts'),
      }
    },
  },
  gw: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { a, b, categoriesFrom, weightsA, weightsB } = spec as Extract<JobSpec, { kind: 'gw' }>
      for (const file of [weightsA, weightsB]) if (file && !existsSync(file)) throw new AppError('user', `${file} does not exist; give a file of one positive weight per object (.npy, .txt, .csv, .mat, …).`)
      return { a: representation(db, a, 'GW aligns'), b: representation(db, b, 'GW aligns'), categories: categoriesFrom === undefined ? null : datasetOfKind(db, categoriesFrom, 'concepts') }
    },
  },
  map: {
    lane: 'compute',
    computes: true,
    input: (db, spec) => representation(db, (spec as Extract<JobSpec, { kind: 'map' }>).dataset, 'a map draws'),
  },
  compare: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { datasets } = spec as Extract<JobSpec, { kind: 'compare' }>
      if (new Set(datasets).size !== datasets.length) throw new AppError('user', 'A representation is listed twice; choose each once.')
      return { datasets: datasets.map((id) => representation(db, id, 'a comparison takes')) }
    },
  },
  deriveTriplets: {
    lane: 'compute',
    computes: false,
    input(db, spec) {
      const found = representation(db, (spec as Extract<JobSpec, { kind: 'deriveTriplets' }>).dataset, 'triplets are derived from')
      if (found.kind !== 'similarity') throw new AppError('user', `Dataset ${found.id} ("${found.name}") is ${found.kind}; triplets are derived from similarity matrices.`)
      return found
    },
  },
  categoryMeans: {
    lane: 'compute',
    computes: false,
    input(db, spec) {
      const { features, categories } = spec as Extract<JobSpec, { kind: 'categoryMeans' }>
      const table = datasetOfKind(db, categories, 'concepts')
      if (!(table.meta.categories as string[]).length) throw new AppError('user', `"${table.name}" has names but no categories to average over; choose concepts with a category column, or an image folder's subfolders.`)
      return { features: datasetOfKind(db, features, 'features'), categories: table }
    },
  },
  selectMatrix: {
    lane: 'compute',
    computes: false,
    input(db, spec) {
      const { dataset, matrix } = spec as Extract<JobSpec, { kind: 'selectMatrix' }>
      const found = requireDataset(db, dataset)
      if (found.kind !== 'similarity') throw new AppError('user', `Dataset ${dataset} ("${found.name}") is ${found.kind}; a matrix is taken from similarity matrices.`)
      const count = matrixCount(found)
      if (count < 2) throw new AppError('user', `"${found.name}" holds one matrix; it is already a dataset of its own.`)
      const chosen = typeof matrix === 'number' ? [matrix] : matrix
      const outside = chosen.find((m) => m >= count)
      if (outside !== undefined) throw new AppError('user', `"${found.name}" holds ${count} matrices; choose ${chosen.length === 1 ? 'one of' : 'from'} 1–${count}, not ${outside + 1}.`)
      const twice = chosen.find((m, k) => chosen.indexOf(m) !== k)
      if (twice !== undefined) throw new AppError('user', `Matrix ${twice + 1} ("${matrixNames(found)[twice]!}") is chosen twice; choose each matrix once.`)
      return found
    },
  },
  attention: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { images, model, humanMaps, humanMapsFile, targetClass, targetImage } = spec as Extract<JobSpec, { kind: 'attention' }>
      modelSource(model)
      if (targetClass !== undefined && targetImage) throw new AppError('user', 'Explain a class or the similarity to an image, not both.')
      if (targetImage && !existsSync(targetImage)) throw new AppError('user', `${targetImage} does not exist; give the image whose embedding the maps explain the similarity to.`)
      const set = datasetOfKind(db, images, 'images')
      if (humanMaps !== undefined && humanMapsFile) throw new AppError('user', 'Give the human maps as an image set or as a file, not both.')
      if (humanMapsFile && !existsSync(humanMapsFile)) throw new AppError('user', `${humanMapsFile} does not exist; give a .npy, .npz, .mat or .h5 file of human maps.`)
      const human = humanMaps === undefined ? null : datasetOfKind(db, humanMaps, 'images')
      if (human && Number(human.meta.n) !== Number(set.meta.n)) throw new AppError('user', `"${human.name}" holds ${String(human.meta.n)} maps but "${set.name}" has ${String(set.meta.n)} images; give one human map per image.`)
      return { images: set, human }
    },
  },
  attentionMask: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { run } = spec as Extract<JobSpec, { kind: 'attentionMask' }>
      const found = runOfKind(db, run, 'attention')
      const result = found.result as { outputs?: { maps?: string }; imageSet?: number } | null
      if (!result?.outputs?.maps || result.imageSet === undefined) throw new AppError('user', `Run ${run} is ${found.kind}, not ${RUN_KINDS.attention}.`)
      const params = found.params as { model: string }
      return { run: { id: found.id, name: found.name, model: params.model, maps: result.outputs.maps }, images: datasetOfKind(db, result.imageSet, 'images') }
    },
  },
  similarity: {
    lane: 'compute',
    computes: true,
    input(db, spec) {
      const { features } = spec as Extract<JobSpec, { kind: 'similarity' }>
      const row = getArtifact(db, features)
      if (!row) throw new AppError('not_found', `There is no artifact ${features} in this project.`)
      if (row.dtype !== '<f4' || row.shape.length !== 2) {
        throw new AppError(
          'user',
          `Artifact ${features} is ${row.dtype} of shape [${row.shape.join(', ')}]; similarity needs a 2-D float32 feature matrix.`,
        )
      }
      return row
    },
  },
}
