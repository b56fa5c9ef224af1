// A dataset's metadata in words, for the Data page and `humanalign project info`: what it holds and where it came
// from, without the internal keys (content hashes of linked arrays, the image folder, the source path shown apart).
import type { DatasetInfo } from './contract'
import { ceilingKindText, countOf } from './format'

const count = (n: number): string => n.toLocaleString('en')

/** How many entries a metadata list has: the list itself, or its length as lists shorten it ("1854 names"). */
export function lengthOf(value: unknown): number | null {
  if (Array.isArray(value)) return value.length
  const leading = typeof value === 'string' ? /^(\d+) /.exec(value) : null
  return leading ? Number(leading[1]) : null
}

const quoted = (value: unknown): string => `"${String(value)}"`
const numberOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

/** "object ids", and where they came from when the import said: a file beside or given, the table, the file. */
function idsText(meta: Record<string, unknown>): string | null {
  if (lengthOf(meta.ids) === null) return null
  if (typeof meta.idsFrom !== 'string') return 'object ids'
  return `object ids (from ${/[\\/]/.test(meta.idsFrom) ? quoted(meta.idsFrom.replace(/^.*[\\/]/, '')) : meta.idsFrom})`
}

function fromArray(meta: Record<string, unknown>): string[] {
  return typeof meta.key === 'string' ? [`array ${meta.key}`] : []
}

function features(meta: Record<string, unknown>): string[] {
  const parts: string[] = []
  if (typeof meta.model === 'string') {
    const pooled = typeof meta.pooling === 'string' ? `, ${meta.pooling} pooling` : ''
    parts.push(`${meta.model} layer ${String(meta.layer)}${pooled}${typeof meta.images === 'string' ? ` of ${quoted(meta.images)}` : ''}`)
  }
  if (meta.transformedBy !== undefined) parts.push(`probe run ${String(meta.transformedBy)} applied to ${quoted(meta.from)}`)
  if (typeof meta.meansOf === 'string') {
    const range = meta.minRows === meta.maxRows ? `${String(meta.minRows)}` : `${String(meta.minRows)}–${String(meta.maxRows)}`
    const shared = Number(meta.shared ?? 0) ? `; ${countOf(Number(meta.shared), 'row')} in several, counted in each` : ''
    parts.push(`the mean of ${quoted(meta.meansOf)} per category of ${quoted(meta.categoriesFrom)} (${countOf(Number(meta.rows), 'row')}, ${range} a category${shared})`)
  }
  parts.push(idsText(meta) ?? 'no object ids')
  const averaged = numberOf(meta.averagedRows)
  if (averaged) parts.push(`the means of ${countOf(averaged, 'row')}`)
  return [...parts, ...fromArray(meta)]
}

function triplets(meta: Record<string, unknown>): string[] {
  const parts = [`${countOf(Number(meta.count), 'triplet')} of ${countOf(Number(meta.objects), 'object')}`]
  if (meta.simulated !== undefined) {
    const t = numberOf(meta.temperature)
    const p = numberOf(meta.meanMaxProbability)
    const temperature = t === null ? '' : `, T = ${count(Math.round(t))}${meta.temperatureCalibrated ? ` (calibrated${p === null ? '' : ` to a mean top probability of ${p.toFixed(3)}`})` : ''}`
    parts.push(`${String(meta.simulated)}${temperature}, seed ${String(meta.seed)}`)
  }
  if (meta.derivedFrom !== undefined) parts.push(`every triplet of ${quoted(meta.derivedFromName)}, ${countOf(Number(meta.subjects), 'matrix', 'matrices')} voting`)
  const tied = numberOf(meta.tiedMajorities)
  if (tied) parts.push(`${countOf(tied, 'tied majority', 'tied majorities')} broken at random`)
  const ceiling = numberOf(meta.subjectsCeiling)
  if (ceiling !== null) parts.push(`noise ceiling ${ceiling.toFixed(3)} (${ceilingKindText('leave-one-subject-out')})`)
  if (meta.format === 'AligNet') {
    parts.push(meta.synthetic ? `AligNet ${String(meta.mode)} triplets labelled by ${quoted(meta.teacher)} (clusters run ${String(meta.clustersRun)})` : 'an AligNet file')
  }
  if (meta.convertedFromOneBased) parts.push('converted from 1-based indices')
  const skipped = numberOf(meta.skippedRows)
  if (skipped) parts.push(`${countOf(skipped, 'row')} between the trials skipped`)
  for (const [key, what] of [['subjectLevels', 'subject'], ['conditionLevels', 'condition']] as const) {
    const levels = lengthOf(meta[key])
    if (levels !== null) parts.push(countOf(levels, what))
  }
  if (meta.rtArtifact) parts.push('response times')
  if (meta.softLabels) parts.push('soft labels')
  if (meta.teacherSimilarities) parts.push("the teacher's similarities")
  return [...parts, ...fromArray(meta)]
}

function concepts(meta: Record<string, unknown>): string[] {
  const parts = [countOf(lengthOf(meta.names) ?? Number(meta.n), 'name')]
  if (typeof meta.namesFrom === 'string') parts[0] += ` (from ${quoted(meta.namesFrom.replace(/^.*[\\/]/, ''))})`
  else if (typeof meta.nameColumn === 'string') parts[0] += ` (column ${quoted(meta.nameColumn)})`
  const wordnet = lengthOf(meta.wordnetIds)
  if (wordnet !== null) parts.push(`${count(wordnet)} WordNet ids`)
  const categories = lengthOf(meta.categories)
  if (categories !== null) parts.push(`${countOf(categories, 'category', 'categories')}${typeof meta.categorySource === 'string' ? ` from ${meta.categorySource}` : ''}`)
  const skipped = numberOf(meta.skippedRows)
  if (skipped) parts.push(`${countOf(skipped, 'row')} skipped`)
  return [...parts, ...fromArray(meta)]
}

/** Names of a few matrices are listed ("mIT_674neurons, hITvisStim_316vx"); of many, counted. */
const LISTED_MATRICES = 4

function similarity(meta: Record<string, unknown>): string[] {
  const subjects = Number(meta.subjects)
  const named = idsText(meta)
  const matrices = subjects === 1 ? 'one matrix' : `${count(subjects)} ${subjects <= LISTED_MATRICES && Array.isArray(meta.subjectsFrom) ? `matrices (${meta.subjectsFrom.join(', ')})` : "subjects' matrices"}`
  // One matrix by its name ("hITvisStim_316vx" of …); several by their numbers (matrices 9–16 of …).
  const of = typeof meta.matrixOf === 'string' ? [`${subjects === 1 ? quoted(meta.matrix) : String(meta.matrix)} of ${quoted(meta.matrixOf)}`] : []
  return [`${meta.measure === 'similarity' ? 'similarities' : 'dissimilarities'}, ${matrices}`, ...of, ...(named ? [named] : []), ...fromArray(meta)]
}

function images(meta: Record<string, unknown>): string[] {
  return [countOf(lengthOf(meta.files) ?? Number(meta.n), 'image'), ...fromArray(meta)]
}

const DESCRIBE: Record<DatasetInfo['kind'], (meta: Record<string, unknown>) => string[]> = { features, triplets, concepts, similarity, images }

/** The dataset's metadata as short phrases, e.g. ["2,000 triplets of 1,854 objects", "soft labels"]. */
export function datasetDetails(dataset: Pick<DatasetInfo, 'kind' | 'meta'>): string[] {
  return DESCRIBE[dataset.kind](dataset.meta)
}
