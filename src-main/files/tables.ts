// Tables as arrays: the numeric columns of a text table as a matrix, with an id column and a pandas index told
// apart from the data.
import { ValidationError } from '../core/data/errors'
import type { Column, Table } from '../core/io/delimited'
import type { NpyArray } from '../core/io/npy'

/**
 * A leading column pandas wrote as its index is not a feature: whole numbers under an empty header (pandas
 * writes none; we name it "column 1"), or 0…n−1 under a header such as "index".
 */
function isIndexColumn(column: Column, table: Table): boolean {
  if (column.kind !== 'number') return false
  const whole = column.numbers!.every((v) => Number.isInteger(v))
  if (table.header && column.name === 'column 1') return whole
  return /^(index|row|Unnamed: 0)$/.test(column.name) && column.numbers!.every((v, i) => v === i)
}

/** The table's columns by name, in the order given; names one that is missing. */
export function namedColumns(table: Table, names: string[]): Column[] {
  return names.map((name) => {
    const column = table.columns.find((c) => c.name === name)
    if (!column) throw new ValidationError(`there is no column "${name}" (columns: ${table.columns.map((c) => `"${c.name}"`).join(', ')}).`)
    return column
  })
}

export function tableFeatures(table: Table, spec: { columns?: string[]; idColumn?: string } = {}): { array: NpyArray; ids?: string[]; columns: Column[] } {
  const idColumn =
    spec.idColumn === undefined ? table.columns.find((c) => c.kind === 'text') : spec.idColumn === '' ? undefined : namedColumns(table, [spec.idColumn])[0]
  const columns = spec.columns
    ? namedColumns(table, spec.columns)
    : table.columns.filter((c, i) => c !== idColumn && !(i === 0 && isIndexColumn(c, table)))
  const numeric = columns.filter((c) => c.kind === 'number')
  const extraText = columns.filter((c) => c.kind === 'text' && c !== idColumn)
  if (extraText.length) {
    // Name the first cell that is not a number, which is usually a typo in a numeric column.
    const column = extraText[0]!
    const row = column.texts!.findIndex((v) => v !== '' && Number.isNaN(Number(v)))
    const at = row >= 0 ? ` (line ${row + 1 + (table.header ? 1 : 0)} holds "${column.texts![row]}")` : ''
    throw new ValidationError(`column "${column.name}" holds text${at}; beside the numbers, only one id column is allowed. Fix the cell or remove the column.`)
  }
  return { array: numericMatrix(numeric, table.rows), ids: idColumn?.texts, columns: numeric }
}

/**
 * A similarity matrix from a table, and the objects' names: the id column (row names, as pandas writes a labelled
 * frame) or the header's names of the numeric columns, which must agree where both are there.
 */
export function tableMatrix(table: Table): { array: NpyArray; ids?: string[] } {
  const { array, ids: rowNames, columns } = tableFeatures(table)
  const columnNames = table.header ? columns.map((c) => c.name) : undefined
  if (rowNames && columnNames && rowNames.length === columnNames.length) {
    const i = rowNames.findIndex((name, k) => name !== columnNames[k])
    if (i >= 0) {
      throw new ValidationError(`the rows and the columns name different objects: row ${i + 1} is "${rowNames[i]}" but column ${i + 1} is "${columnNames[i]}". A similarity matrix lists the same objects in the same order down and across.`)
    }
  }
  return { array, ids: rowNames ?? columnNames }
}

/** Numeric columns as a row-major rows × columns array. */
export function numericMatrix(columns: Column[], rows: number): NpyArray {
  const data = new Float64Array(rows * columns.length)
  columns.forEach((c, j) => c.numbers!.forEach((v, i) => (data[i * columns.length + j] = v)))
  return { dtype: '<f8', shape: [rows, columns.length], data }
}


/**
 * The table without the rows in which every one of `columns` is empty — the rows between the trials of an
 * experiment's export (instructions, a survey) — and how many those were.
 */
export function withoutEmptyRows(table: Table, columns: Column[]): { table: Table; skipped: number } {
  // A column at a time, in typed loops: a 4.7 M-triplet file goes through here.
  const keep = new Uint8Array(table.rows)
  for (const column of columns) {
    if (column.kind === 'text') column.texts!.forEach((text, r) => (keep[r] ||= text.trim() === '' ? 0 : 1))
    else {
      const numbers = column.numbers!
      for (let r = 0; r < numbers.length; r++) if (!Number.isNaN(numbers[r]!)) keep[r] = 1
    }
  }
  let rows = 0
  for (let r = 0; r < keep.length; r++) rows += keep[r]!
  if (rows === table.rows) return { table, skipped: 0 }
  const kept = <T>(values: ArrayLike<T>) => Array.from(values).filter((_, r) => keep[r])
  const subset = table.columns.map((c): Column => (c.kind === 'text' ? { ...c, texts: kept(c.texts!) } : { ...c, numbers: Float64Array.from(kept(c.numbers!)) }))
  return { table: { ...table, rows, columns: subset }, skipped: table.rows - rows }
}
