// JSON as experiments save it: jsPsych's data (`jsPsych.data.get().json()`: an array of trial records), JATOS and
// other JSON Lines exports (a record, or an array of records, per line), a study object holding named arrays of
// records, and matrices as arrays of rows. Each list becomes a table read as text tables are: the records' keys name
// the columns (the union, in order of appearance; a record without a key leaves its cell empty).
import { cellText, DelimitedFormatError, TableBuilder, type Table } from './delimited'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type NamedTable = { name: string; table: Table }

const isRecord = (value: Json): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value)
const isRow = (value: Json): value is Json[] => Array.isArray(value) && value.every((v) => !isRecord(v) && !Array.isArray(v))

/** Records as a table: their keys are its header, whatever the user said of a first row. */
function recordsTable(records: { [key: string]: Json }[]): Table | null {
  const names = [...new Set(records.flatMap((r) => Object.keys(r)))]
  const builder = new TableBuilder({ decimalComma: false, trailing: false, unit: 'row', header: true })
  builder.add(names, 0)
  records.forEach((r, i) => builder.add(names.map((n) => cellText(r[n])), i + 1))
  const table = builder.finish()
  return table ? { delimiter: null, ...table } : null
}

function rowsTable(rows: Json[][], header?: boolean): Table | null {
  const builder = new TableBuilder({ decimalComma: false, trailing: false, unit: 'row', header })
  rows.forEach((row, i) => builder.add(row.map(cellText), i + 1))
  const table = builder.finish()
  return table ? { delimiter: null, ...table } : null
}

/** A list of records or of rows as a table; null for any other value. */
function listTable(value: Json, header?: boolean): Table | null {
  if (!Array.isArray(value) || !value.length) return null
  if (value.every(isRecord)) return recordsTable(value)
  if (value.every(isRow)) return rowsTable(value, header)
  return null
}

function parse(text: string, where: string): Json {
  try {
    return JSON.parse(text) as Json
  } catch (err) {
    throw new DelimitedFormatError(`${where} is not valid JSON (${(err as Error).message})`)
  }
}

/**
 * The tables of a JSON or JSON Lines text: the one list ('' names it), or each property of an object that holds a
 * list of records (named by the property).
 */
export function jsonTables(text: string, lines: boolean, header?: boolean): NamedTable[] {
  if (lines) {
    const records = text.split(/\r?\n/).flatMap((line, i) => {
      if (!line.trim()) return []
      const value = parse(line, `line ${i + 1}`)
      return Array.isArray(value) ? value : [value]
    })
    const table = listTable(records, header)
    return table ? [{ name: '', table }] : []
  }
  const value = parse(text.replace(/^\uFEFF/, ''), 'the file')
  const whole = listTable(value, header)
  if (whole) return [{ name: '', table: whole }]
  if (!isRecord(value)) return []
  return Object.entries(value).flatMap(([name, member]) => {
    const table = listTable(member, header)
    return table ? [{ name, table }] : []
  })
}
