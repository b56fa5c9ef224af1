// What a dataset's objects are called, from wherever the file's maker put the names: an ids file the user names,
// a table's id column or labels, thingsvision's file_names.txt beside features, or a list of names in the file.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { objectNamesInFile, readIds, type TextList } from './readers'

export interface IdSources {
  /** An ids file the user gave (a line per object, or a NumPy text array). */
  ids?: string
  /** The names a table gave (an id column, a labelled matrix's header). */
  tableIds?: string[]
  /** What tableIds are, for the result: "id column", "the table". */
  tableIdsAre?: string
  /** Features: thingsvision's file_names.txt beside the file counts. */
  beside?: boolean
  /** The file's lists of strings, when reading its array found them already. */
  texts?: TextList[]
}

/** The ids of `rows` objects and where they came from; no ids (from: null) when the file names none. */
export async function objectIdsFor(path: string, rows: number, sources: IdSources): Promise<{ ids?: string[]; from: string | null }> {
  if (sources.ids) return { ids: await readIds(sources.ids), from: sources.ids }
  if (sources.tableIds) return { ids: sources.tableIds, from: sources.tableIdsAre ?? 'id column' }
  const beside = join(dirname(path), 'file_names.txt')
  if (sources.beside && existsSync(beside)) return { ids: await readIds(beside), from: beside }
  const inFile = rows > 0 ? await objectNamesInFile(path, rows, sources.texts) : undefined
  return inFile ? { ids: inFile.names, from: `'${inFile.key}' in the file` } : { from: null }
}
