// Frees the project folder of what nothing in the project refers to any more: the arrays, image folders and trained
// models left behind when datasets, runs and models are removed, and the files a crash left half-written. Arrays
// are shared by content, so an array goes only when no dataset, feature set, model, run or unfinished job names its
// address. Call it only while no job runs: a running job reads arrays by address, and a finishing one stores new ones.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ARTIFACTS_DIR } from './artifacts'
import type { Db } from './database'
import { IMAGES_DIR } from './datasets'
import { MODELS_DIR } from './models'

export interface Reclaimed {
  /** Files removed from artifacts/, images/ and models/. */
  files: number
  bytes: number
}

/** Everything in the project that may name an array's address, an image folder or a model folder. */
const REFERRING_TEXT = [
  'SELECT artifact AS a, meta AS b, source_path AS c FROM datasets',
  'SELECT artifact AS a, meta AS b, NULL AS c FROM feature_sets',
  'SELECT meta AS a, source AS b, NULL AS c FROM models',
  'SELECT params AS a, result AS b, NULL AS c FROM runs',
  'SELECT artifact AS a, NULL AS b, NULL AS c FROM run_artifacts',
  // A failed job can be resumed, and then reads its inputs again; a finished or cancelled one never will.
  "SELECT spec AS a, result AS b, NULL AS c FROM jobs WHERE state NOT IN ('done', 'cancelled')",
].join(' UNION ALL ')

const ADDRESS = /[0-9a-f]{64}/g

/** Size and count of the files under a path (a file or a folder). */
function measure(path: string): Reclaimed {
  const stat = statSync(path)
  if (!stat.isDirectory()) return { files: 1, bytes: stat.size }
  return readdirSync(path).reduce((sum, entry) => {
    const inner = measure(join(path, entry))
    return { files: sum.files + inner.files, bytes: sum.bytes + inner.bytes }
  }, { files: 0, bytes: 0 })
}

export function reclaimStorage(db: Db, projectDir: string): Reclaimed {
  const text = (db.prepare(REFERRING_TEXT).all() as { a: string | null; b: string | null; c: string | null }[])
    .flatMap((row) => [row.a, row.b, row.c])
    .filter((value): value is string => value !== null)
  const addresses = new Set(text.flatMap((value) => value.match(ADDRESS) ?? []))
  const stored = db.prepare('SELECT sha256, file FROM artifacts').all() as { sha256: string; file: string }[]
  const unused = stored.filter((row) => !addresses.has(row.sha256))
  // The rows go first, in one transaction: a crash between this and the deletions leaves only files without rows,
  // which the next call removes.
  const forget = db.prepare('DELETE FROM artifacts WHERE sha256 = ?')
  db.transaction(() => unused.forEach((row) => forget.run(row.sha256)))()

  const recorded = new Set(stored.filter((row) => addresses.has(row.sha256)).map((row) => row.file))
  const artifactsDir = join(projectDir, ARTIFACTS_DIR)
  const strayArrays = existsSync(artifactsDir) ? readdirSync(artifactsDir).filter((file) => !recorded.has(file)).map((file) => join(artifactsDir, file)) : []
  const allText = text.join('\n')
  const imagesDir = join(projectDir, IMAGES_DIR)
  const strayImages = existsSync(imagesDir) ? readdirSync(imagesDir).filter((folder) => !allText.includes(`${IMAGES_DIR}/${folder}`)).map((folder) => join(imagesDir, folder)) : []
  // Models are named by their absolute folder, in plain text (models.source) or JSON (a job's spec): matched by
  // the part below the project, which still matches after the project folder was moved.
  const modelsDir = join(projectDir, MODELS_DIR)
  const named = (folder: string) => [`${MODELS_DIR}/${folder}`, `${MODELS_DIR}\\${folder}`, `${MODELS_DIR}\\\\${folder}`].some((tail) => allText.includes(tail))
  const strayModels = existsSync(modelsDir) ? readdirSync(modelsDir).filter((folder) => !named(folder)).map((folder) => join(modelsDir, folder)) : []

  let reclaimed: Reclaimed = { files: 0, bytes: 0 }
  for (const path of [...strayArrays, ...strayImages, ...strayModels]) {
    const size = measure(path)
    rmSync(path, { recursive: true, force: true })
    reclaimed = { files: reclaimed.files + size.files, bytes: reclaimed.bytes + size.bytes }
  }
  return reclaimed
}
