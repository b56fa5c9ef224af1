import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MatrixView } from '../api/contract'
import { AppError } from '../api/errors'
import { decodeNpy } from '../core/io/npy'
import { ARTIFACTS_DIR, getArtifact } from './artifacts'
import type { Db } from './database'
import { listDatasets } from './datasets'

/** One subject's matrix (or the mean over subjects), block-averaged to at most `maxSize` rows for display. */
export function matrixView(db: Db, projectDir: string, id: number, subject: number | null, maxSize: number): MatrixView {
  const dataset = listDatasets(db).find((d) => d.id === id)
  if (!dataset) throw new AppError('not_found', `There is no dataset ${id} in this project.`)
  if (dataset.kind !== 'similarity' || !dataset.artifact) throw new AppError('user', `Dataset ${id} ("${dataset.name}") is ${dataset.kind}, not a similarity matrix.`)
  const row = getArtifact(db, dataset.artifact)!
  const array = decodeNpy(new Uint8Array(readFileSync(join(projectDir, ARTIFACTS_DIR, row.file))))
  const n = array.shape[array.shape.length - 1]!
  const subjects = array.shape.length === 3 ? array.shape[0]! : 1
  if (subject !== null && subject >= subjects) throw new AppError('user', `Dataset ${id} has ${subjects} subject(s); there is no subject ${subject}.`)
  const data = array.data as Float64Array
  const size = Math.min(n, maxSize)
  const sums = new Float64Array(size * size)
  const counts = new Float64Array(size * size)
  const cell = (i: number) => Math.min(size - 1, Math.floor((i * size) / n))
  for (let s = subject ?? 0; s < (subject === null ? subjects : subject + 1); s++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const k = cell(i) * size + cell(j)
        sums[k]! += data[s * n * n + i * n + j]!
        counts[k]!++
      }
    }
  }
  const values = Array.from(sums, (v, k) => v / counts[k]!)
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      if (i === j) continue
      min = Math.min(min, values[i * size + j]!)
      max = Math.max(max, values[i * size + j]!)
    }
  }
  return { n, size, subjects, subject, values, min, max, measure: String(dataset.meta.measure ?? 'dissimilarity') }
}
