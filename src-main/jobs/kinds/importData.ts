// Importing a file as a dataset: read, validate everything, and only then hand the arrays to the main thread,
// which stores artifacts and rows in one transaction. A file that fails validation changes nothing.
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import type { JobSpec } from '../../api/contract'
import { AppError } from '../../api/errors'
import { ValidationError } from '../../core/data/errors'
import { toConcepts } from '../../core/data/concepts'
import { averageRepeatedRows, toFeatureSet } from '../../core/data/features'
import { toSimilarityMatrix, withIds } from '../../core/data/similarity'
import { toTripletSet } from '../../core/data/triplets'
import { tripletIndexColumns } from '../../core/data/tripletColumns'
import type { Table } from '../../core/io/delimited'
import type { NpyArray } from '../../core/io/npy'
import { checkImages, commonRoot, folderCategories, IMAGE_FILE, IMAGE_KINDS, readImageFolder, writeImagesFromArray, type ImageInfo } from '../../files/images'
import { imageList } from '../../files/imageList'
import { DEFAULT_KEYS } from '../../api/arrayKeys'
import { formatOf, isTableFormat, matrixNamesInFile, readArray, readIds, readRecords, readTable } from '../../files/readers'
import { objectIdsFor } from '../../files/objectIds'
import { readFileBytes } from '../../files/npyFile'
import { decodeAlignet, type AlignetTriplets } from '../../core/alignet/alignetFile'
import { teacherProbabilities } from '../../core/alignet/sampling'
import { npzEntries } from '../../core/io/npz'
import { namedColumns, numericMatrix, tableFeatures, tableMatrix, withoutEmptyRows } from '../../files/tables'
import type { ObjectList } from '../catalog'
import type { DatasetRecord, JobContext, JobOutput } from '../protocol'

type ImportSpec = Extract<JobSpec, { kind: 'import' }>

/**
 * What may come with triplets: subject ids, response times and conditions (columns of the same table) and soft
 * labels (a separate N×3 file whose rows are probabilities).
 */
async function tripletExtras(spec: ImportSpec, table: Table | null, count: number) {
  const outputs: Record<string, NpyArray> = {}
  const links: Record<string, string> = {}
  const meta: Record<string, unknown> = {}
  const wanted = { subject: spec.subjectColumn, rt: spec.rtColumn, condition: spec.conditionColumn }
  for (const [role, name] of Object.entries(wanted)) {
    if (name === undefined) continue
    if (!table) throw new ValidationError(`--${role}-column applies to text tables; this file holds arrays.`)
    const [column] = namedColumns(table, [name])
    if (role === 'rt') {
      if (column!.kind !== 'number') throw new ValidationError(`the response time column "${name}" holds text; it must hold numbers (ms).`)
      outputs.rt = { dtype: '<f4', shape: [count], data: Float32Array.from(column!.numbers!) }
    } else {
      // Subjects and conditions may be numbers or names: stored as codes with the names beside them.
      const values = column!.kind === 'text' ? column!.texts! : Array.from(column!.numbers!, String)
      const levels = [...new Set(values)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      outputs[role] = { dtype: '<i4', shape: [count], data: Int32Array.from(values, (v) => levels.indexOf(v)) }
      meta[`${role}Levels`] = levels
    }
    links[`${role}Artifact`] = role
  }
  if (spec.softLabels) {
    const soft = isTableFormat(formatOf(spec.softLabels)) ? numericMatrix((await readTable(spec.softLabels)).columns.filter((c) => c.kind === 'number'), count) : (await readArray(spec.softLabels)).array
    if (soft.shape.length !== 2 || soft.shape[0] !== count || soft.shape[1] !== 3) {
      throw new ValidationError(`soft labels must be ${count} × 3 (one row of three probabilities per triplet); ${spec.softLabels} is [${soft.shape.join(' × ')}].`)
    }
    const data = Float32Array.from(soft.data as ArrayLike<number>)
    for (let t = 0; t < count; t++) {
      const sum = data[3 * t]! + data[3 * t + 1]! + data[3 * t + 2]!
      if (!(Math.abs(sum - 1) < 1e-3) || data.subarray(3 * t, 3 * t + 3).some((p) => p < 0)) {
        throw new ValidationError(`soft labels of triplet ${t} are not probabilities (they sum to ${sum.toPrecision(4)}). Each row must be three non-negative numbers summing to 1.`)
      }
    }
    outputs.soft = { dtype: '<f4', shape: [count, 3], data }
    links.softLabels = 'soft'
  }
  return { outputs, links, meta }
}

function arrayColumns(array: NpyArray): number[][] {
  if (array.shape.length !== 2 || array.shape[1]! < 3) {
    throw new ValidationError(`triplets must be an N×3 array (or have at least three columns); this one has shape [${array.shape.join(' × ')}].`)
  }
  const [rows, cols] = array.shape as [number, number]
  const values = Array.from(array.data as ArrayLike<number | bigint>, Number)
  return [0, 1, 2].map((c) => Array.from({ length: rows }, (_, r) => values[r * cols + c]!))
}

/** A folder name for the image set: readable, and unique enough not to collide. */
function folderName(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'images'
  return `${slug}-${randomBytes(3).toString('hex')}`
}

/** An image set whose files wait in `staging` (outside the project) to be copied into <project>/images/. */
export function imageSetRecord(name: string, sourcePath: string, staging: string, images: ImageInfo[], key?: string): DatasetRecord {
  const folder = folderName(name)
  const meta = {
    sourcePath,
    ...(key ? { key } : {}),
    n: images.length,
    folder: `images/${folder}`,
    ids: images.map((i) => i.id),
    files: images.map((i) => i.file),
    widths: images.map((i) => i.width),
    heights: images.map((i) => i.height),
  }
  return { kind: 'images', name, sourcePath, meta, files: { staging, folder } }
}

/**
 * The images a text file lists, a line each (relative to its folder, as thingsvision's file_names.txt is), in the
 * list's order — the rows of the features extracted from them — kept under the folder that holds them all.
 */
async function listedImages(path: string, progress: (checked: number, total: number) => void): Promise<{ images: ImageInfo[]; paths: string[] }> {
  const list = imageList(path)
  const seen = new Set<string>()
  const twice = list.paths.findIndex((p) => seen.size === seen.add(p).size)
  if (twice >= 0) throw new ValidationError(`line ${twice + 1} lists ${list.names[twice]} again; each image once.`)
  const notImage = list.names.findIndex((n) => !IMAGE_FILE.test(n))
  if (notImage >= 0) throw new ValidationError(`line ${notImage + 1}, ${list.names[notImage]}, is not a ${IMAGE_KINDS} image.`)
  const { root, files } = commonRoot(list.paths)
  return checkImages(root, files, progress)
}

/** Checks the images, copies or writes them into a staging folder outside the project. */
async function importImages(spec: ImportSpec, name: string, objectList: ObjectList | null, ctx: JobContext): Promise<JobOutput> {
  const staging = mkdtempSync(join(tmpdir(), 'humanalign-images-'))
  try {
    let images: ImageInfo[]
    let key: string | undefined
    let folders: ReturnType<typeof folderCategories> = null
    const folderGiven = existsSync(spec.path) && statSync(spec.path).isDirectory()
    if (folderGiven || /\.txt$/i.test(spec.path)) {
      ctx.progress(0.02, 'Checking the images')
      const progress = (checked: number, total: number) => {
        if (checked % 50 === 0 || checked === total) ctx.progress(0.02 + (0.78 * checked) / total, `Checking the images: ${checked} of ${total}`)
      }
      // A folder in name order, or a list (thingsvision's file_names.txt, a line per image) in its own order.
      const folder = folderGiven ? await readImageFolder(spec.path, progress) : await listedImages(spec.path, progress)
      images = folder.images
      ctx.progress(0.8, 'Copying the images')
      // Subfolders (a concept's or a class's images) are kept.
      for (const dir of new Set(images.map((i) => dirname(i.file)))) mkdirSync(join(staging, dir), { recursive: true })
      folder.paths.forEach((path, i) => copyFileSync(path, join(staging, images[i]!.file)))
      folders = folderCategories(images.map((i) => i.file))
    } else {
      ctx.progress(0.05, `Reading ${basename(spec.path)}`)
      const read = await readArray(spec.path, spec.key)
      key = read.key
      ctx.progress(0.3, 'Writing the images')
      images = await writeImagesFromArray(read.array, staging)
    }
    if (objectList && images.length !== objectList.n) {
      throw new ValidationError(`there are ${images.length} images, but the object list "${objectList.name}" has ${objectList.n} objects.`)
    }
    const record = imageSetRecord(name, spec.path, staging, images, key)
    const result = { dataset: 'images', name, n: images.length, folder: record.meta.folder }
    if (!folders) return { result, records: [record] }
    // The subfolders as categories of the images, named as the images are: maps, accuracy per category, GW's
    // category matching and the triplet browser's filter use them.
    const concepts = `${name}: subfolders`
    const meta = { sourcePath: spec.path, n: images.length, names: images.map((i) => i.id), categories: folders.categories, categorySource: 'the subfolders', skippedRows: 0 }
    return {
      result: { ...result, categories: `${folders.categories.length} from the subfolders, as "${concepts}"` },
      outputs: { categories: { dtype: '|u1', shape: [images.length, folders.categories.length], data: folders.membership } },
      records: [record, { kind: 'concepts', name: concepts, output: 'categories', sourcePath: spec.path, meta }],
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true })
    throw err
  }
}

/**
 * AligNet's synthetic triplets (.npz with filenames, similarities, indices): the indices as triplets (the odd one
 * out is last there too), the teacher's choice probabilities softmax([s01, s02, s12]) as soft labels (τ = 1, as
 * the released code), and the raw similarities kept beside them.
 */
function importAlignet(spec: ImportSpec, name: string, file: AlignetTriplets, objectList: ObjectList | null): JobOutput {
  const columns = [0, 1, 2].map((c) => Array.from({ length: file.count }, (_, t) => file.indices[3 * t + c]!))
  const triplets = toTripletSet(columns, { objects: spec.objects ?? objectList?.n, oneBased: false })
  const soft = teacherProbabilities(file.similarities)
  const meta = { sourcePath: spec.path, format: 'AligNet', count: triplets.count, objects: triplets.objects, oddOneOut: 2, exampleFilenames: file.filenames.slice(0, 3) }
  return {
    result: { dataset: 'triplets', name, count: triplets.count, objects: triplets.objects, format: 'AligNet', extras: ['soft', 'similarities'] },
    outputs: {
      data: { dtype: '<i4', shape: [triplets.count, 3], data: triplets.indices },
      soft: { dtype: '<f4', shape: [triplets.count, 3], data: soft },
      similarities: { dtype: '<f4', shape: [triplets.count, 3], data: file.similarities },
    },
    records: [{ kind: 'triplets', name, output: 'data', sourcePath: spec.path, meta, metaOutputs: { softLabels: 'soft', teacherSimilarities: 'similarities' } }],
  }
}

async function importOne(spec: ImportSpec, objectList: ObjectList | null, ctx: JobContext): Promise<JobOutput> {
  if (spec.dataset === 'images') return importImages(spec, spec.name ?? basename(spec.path).replace(/\.[^.]+$/, ''), objectList, ctx)
  const format = formatOf(spec.path)
  const name = spec.name ?? basename(spec.path).replace(/\.[^.]+$/, '')
  ctx.progress(0.05, `Reading ${basename(spec.path)}`)
  if (spec.dataset === 'triplets' && format === 'npz') {
    const bytes = readFileBytes(spec.path)
    const entries = Object.keys(npzEntries(bytes))
    if (['filenames', 'similarities', 'indices'].every((k) => entries.includes(k))) return importAlignet(spec, name, decodeAlignet(bytes), objectList)
  }
  const table = isTableFormat(format) ? await readTable(spec.path, spec.key, spec.header) : null
  const records = table ?? (spec.dataset === 'concepts' && format === 'mat5' ? await readRecords(spec.path, spec.key) : null)
  const fromFile = records ? null : await readArray(spec.path, spec.key, spec.dataset === 'similarity' ? DEFAULT_KEYS.similarity : DEFAULT_KEYS.features)
  ctx.progress(0.6, 'Checking')
  const key = fromFile ? fromFile.key : (spec.key ?? '')
  const source = { sourcePath: spec.path, ...(key ? { key } : {}) }

  if (spec.dataset === 'features') {
    const { array, ids: tableIds } = table ? tableFeatures(table, spec) : { array: fromFile!.array, ids: undefined }
    // np.savez(…, features=X, names=…), a cellstr beside a MATLAB matrix, thingsvision's file_names.txt beside.
    const { ids, from } = await objectIdsFor(spec.path, table ? 0 : (array.shape[0] ?? 0), { ids: spec.ids, tableIds, beside: true, texts: fromFile?.texts })
    if (spec.averageRepeats && !ids) throw new ValidationError('the rows have no object ids to average them by: give the ids (an id column, names saved in the file, or an ids file).')
    const averaged = spec.averageRepeats ? averageRepeatedRows(array, ids!) : null
    const features = averaged ? toFeatureSet(averaged.array, averaged.ids) : toFeatureSet(array, ids)
    if (objectList && features.n !== objectList.n) {
      throw new ValidationError(`the features have ${features.n} rows, but the object list "${objectList.name}" has ${objectList.n} objects. Features need one row per object.`)
    }
    // How many rows were averaged into how many objects, said in the result and kept with the dataset.
    const repeats = averaged ? { averagedRows: array.shape[0] ?? 0 } : {}
    return {
      result: { dataset: 'features', name, n: features.n, p: features.p, idsFrom: from ?? 'row numbers', ...repeats },
      outputs: { data: { dtype: '<f4', shape: [features.n, features.p], data: features.data } },
      records: [{ kind: 'features', name, output: 'data', ...source, meta: { ...source, n: features.n, p: features.p, ids: features.ids, ...(from ? { idsFrom: from } : {}), ...repeats } }],
    }
  }
  if (spec.dataset === 'concepts') {
    if (!records) throw new ValidationError('concepts are read from a text table (.tsv, .csv) with one row per object and a column of names, or from a MATLAB struct array with one element per object.')
    const concepts = toConcepts(records)
    if (objectList && concepts.n !== objectList.n) {
      throw new ValidationError(`the table names ${concepts.n} concepts, but the object list "${objectList.name}" has ${objectList.n} objects.`)
    }
    // THINGSplus names its rows by word ("chicken" twice); the ids file gives the names the other datasets use.
    const ids = spec.ids ? await readIds(spec.ids) : null
    if (ids && ids.length !== concepts.n) throw new ValidationError(`${spec.ids} names ${ids.length} objects, but the table has ${concepts.n} concepts; give one id per concept, in the table's order.`)
    const meta = {
      ...source,
      n: concepts.n,
      names: ids ?? concepts.names,
      ...(ids ? { namesFrom: spec.ids } : {}),
      ...(concepts.wordnetIds ? { wordnetIds: concepts.wordnetIds } : {}),
      categories: concepts.categories,
      nameColumn: concepts.nameColumn,
      categorySource: concepts.categorySource,
      skippedRows: concepts.skippedRows,
    }
    return {
      result: { dataset: 'concepts', name, n: concepts.n, categories: concepts.categories.length, wordnet: concepts.wordnetIds !== null, skippedRows: concepts.skippedRows },
      outputs: { data: { dtype: '|u1', shape: [concepts.n, concepts.categories.length], data: concepts.membership } },
      records: [{ kind: 'concepts', name, output: 'data', ...source, meta }],
    }
  }
  if (spec.dataset === 'triplets') {
    if (spec.columns && spec.columns.length !== 3) {
      throw new ValidationError(`triplets take three columns (object, object, odd-one-out); ${spec.columns.length} were given.`)
    }
    const extraNames = [spec.subjectColumn, spec.rtColumn, spec.conditionColumn, spec.choiceColumn]
    const objectColumns = (t: Table) => (spec.columns ? namedColumns(t, spec.columns) : t.columns.filter((c) => c.kind === 'number' && !extraNames.includes(c.name)))
    // An experiment's export has rows between its trials (instructions, a survey) whose object columns are empty.
    const { table: trials, skipped } = table ? withoutEmptyRows(table, objectColumns(table)) : { table: null, skipped: 0 }
    const chosen = trials ? objectColumns(trials) : null
    if (spec.choiceColumn !== undefined && !trials) throw new ValidationError('--choice-column applies to text tables; this file holds arrays.')
    const choice = trials && spec.choiceColumn !== undefined ? namedColumns(trials, [spec.choiceColumn])[0] : undefined
    const list = objectList?.ids ? { name: objectList.name, ids: objectList.ids } : null
    const resolved = chosen ? tripletIndexColumns(chosen, choice, list) : { columns: arrayColumns(fromFile!.array), named: false, choice: null }
    if (objectList && spec.objects !== undefined && spec.objects !== objectList.n) {
      throw new ValidationError(`${spec.objects} objects were given, but the object list "${objectList.name}" has ${objectList.n}.`)
    }
    // Names were looked up in the list: the indices they became count from 0.
    const triplets = toTripletSet(resolved.columns, { objects: spec.objects ?? objectList?.n, oneBased: resolved.named ? false : spec.oneBased })
    const extras = await tripletExtras(spec, trials, triplets.count)
    const read = {
      ...(resolved.named ? { objectsNamed: true } : {}),
      ...(resolved.choice ? { oddOneOutFrom: `${spec.choiceColumn} (${resolved.choice})` } : {}),
      ...(skipped ? { skippedRows: skipped } : {}),
    }
    return {
      result: { dataset: 'triplets', name, count: triplets.count, objects: triplets.objects, convertedFromOneBased: triplets.converted, ...read, extras: Object.keys(extras.outputs) },
      outputs: { data: { dtype: '<i4', shape: [triplets.count, 3], data: triplets.indices }, ...extras.outputs },
      records: [
        {
          kind: 'triplets',
          name,
          output: 'data',
          ...source,
          // The object list's names: what the indices refer to, so features in another order line up with them.
          meta: { ...source, count: triplets.count, objects: triplets.objects, oddOneOut: 2, convertedFromOneBased: triplets.converted, ...read, ...extras.meta, ...(list ? { ids: list.ids } : {}) },
          metaOutputs: extras.links,
        },
      ],
    }
  }
  const labelled = table ? tableMatrix(table) : null
  const array = labelled ? labelled.array : fromFile!.array
  // The objects' names: an ids file, a labelled table's, or a list of names in the file (Meadows' stimuli,
  // rsatoolbox's pattern descriptors, np.savez(…, rdm=…, names=…)).
  const unnamed = toSimilarityMatrix(array, spec.measure)
  const { ids, from: idsFrom } = await objectIdsFor(spec.path, labelled ? 0 : unnamed.n, { ids: spec.ids, tableIds: labelled?.ids, tableIdsAre: 'the table', texts: fromFile?.texts })
  const matrix = ids ? withIds(unnamed, ids) : unnamed
  const shape = matrix.subjects === 1 ? [matrix.n, matrix.n] : [matrix.subjects, matrix.n, matrix.n]
  // Each matrix's name: the array it came from (Meadows' rdmutv_NAME), its struct element's name field, or
  // rsatoolbox's rdm_descriptors.
  const names = fromFile?.stacked ?? (fromFile && matrix.subjects > 1 ? await matrixNamesInFile(spec.path, matrix.subjects, fromFile.texts) : undefined)
  const subjectsFrom = names?.length === matrix.subjects ? { subjectsFrom: names } : {}
  const meta = { ...source, n: matrix.n, subjects: matrix.subjects, measure: matrix.measure, ...(matrix.ids ? { ids: matrix.ids, idsFrom } : {}), ...subjectsFrom }
  return {
    result: { dataset: 'similarity', name, n: matrix.n, subjects: matrix.subjects, measure: matrix.measure, ...(idsFrom ? { idsFrom } : {}), ...subjectsFrom },
    outputs: { data: { dtype: '<f8', shape, data: matrix.data } },
    records: [{ kind: 'similarity', name, output: 'data', ...source, meta }],
  }
}

export async function importData(spec: ImportSpec, input: { objects: ObjectList } | null, ctx: JobContext): Promise<JobOutput> {
  try {
    return await importOne(spec, input?.objects ?? null, ctx)
  } catch (err) {
    if (err instanceof ValidationError) throw new AppError('user', `${spec.path}: ${err.message}`)
    throw err
  }
}
