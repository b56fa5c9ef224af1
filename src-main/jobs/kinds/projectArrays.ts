// Reading a project's stored arrays from inside a job (the worker reads files; the database stays with the
// main thread).
import { join } from 'node:path'
import type { NpyArray } from '../../core/io/npy'
import { ARTIFACTS_DIR } from '../../store/artifacts'
import type { DatasetInfo } from '../../api/contract'
import type { JobContext } from '../protocol'
import { readNpyFile } from '../../files/npyFile'
import { rowsInOrderOf } from '../../evaluate/objectOrder'

export function artifact(ctx: JobContext, sha: unknown): NpyArray {
  return readNpyFile(join(ctx.projectDir, ARTIFACTS_DIR, `${String(sha)}.npy`))
}

export function asFloat32(array: NpyArray): Float32Array {
  return array.data instanceof Float32Array ? array.data : Float32Array.from(array.data as ArrayLike<number>)
}

/** The folder of an image set of the project, and its files in the set's order (with their ids, else file names). */
export function imageSetFiles(dataset: DatasetInfo, projectDir: string): { folder: string; paths: string[]; names: string[] } {
  const files = dataset.meta.files as string[]
  const folder = join(projectDir, String(dataset.meta.folder))
  return { folder, paths: files.map((f) => join(folder, f)), names: (dataset.meta.ids as string[] | undefined) ?? files }
}

/** A concepts dataset's category memberships (n × categories, 1: in it), its rows in the order `targets` share. */
export function conceptRows(targets: DatasetInfo[], concepts: DatasetInfo, ctx: JobContext): Uint8Array {
  return rowsInOrderOf(targets, concepts, artifact(ctx, concepts.artifact).data as Uint8Array, (concepts.meta.categories as string[]).length)
}
