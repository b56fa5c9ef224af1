// A project's teacher-labelled triplets written in AligNet's .npz layout (filenames, similarities, indices), so
// that they can be used with the released AligNet code or shared beside its data.
import { AppError } from '../api/errors'
import { encodeAlignet } from '../core/alignet/alignetFile'
import { readArtifact, writeFileAtomic } from './artifacts'
import type { Db } from './database'
import { requireDataset } from './datasets'

export function exportAlignet(db: Db, projectDir: string, id: number, path: string): { path: string; count: number } {
  const dataset = requireDataset(db, id)
  const similaritiesSha = dataset.meta.teacherSimilarities
  if (dataset.kind !== 'triplets' || typeof similaritiesSha !== 'string' || !dataset.artifact) {
    throw new AppError('user', `"${dataset.name}" has no teacher similarities; AligNet's layout is for teacher-labelled triplets (AligNet step 2).`)
  }
  if (!path.endsWith('.npz')) throw new AppError('user', `${path}: AligNet's layout is an .npz file; end the name with .npz.`)
  const indices = readArtifact(db, projectDir, dataset.artifact).data as Int32Array
  const similarities = readArtifact(db, projectDir, similaritiesSha).data as Float32Array
  // The images' file names when the objects have them (the teacher's ids), else their numbers.
  const ids = Array.isArray(dataset.meta.ids) ? (dataset.meta.ids as string[]) : null
  const count = indices.length / 3
  writeFileAtomic(path, encodeAlignet({ count, filenames: Array.from(indices, (i) => ids?.[i] ?? String(i)), similarities, indices }))
  return { path, count }
}
