// Spreadsheets (.xlsx): each sheet a table, read as text tables are — a header detected, numeric and text columns —
// so a sheet of features, triplets or concept names imports without saving it as CSV first.
import readXlsxFile from 'read-excel-file/node'
import { cellText, TableBuilder, type Table } from '../core/io/delimited'

/** The workbook's sheets that hold anything, in its order, each as a table. */
export async function readSheets(path: string, header?: boolean): Promise<{ name: string; table: Table }[]> {
  const sheets = await readXlsxFile(path)
  return sheets.flatMap(({ sheet, data }) => {
    const rows = data.map((row) => row.map(cellText))
    // Columns past the last filled cell (a stray format far to the right) are not data.
    const width = rows.reduce((w, row) => Math.max(w, row.findLastIndex((f) => f.trim() !== '') + 1), 0)
    const builder = new TableBuilder({ decimalComma: false, trailing: false, unit: 'row', header })
    rows.forEach((row, r) => {
      const fields = Array.from({ length: width }, (_, c) => row[c] ?? '')
      if (fields.some((f) => f.trim() !== '')) builder.add(fields, r + 1)
    })
    const table = builder.finish()
    return table ? [{ name: sheet, table: { delimiter: null, ...table } }] : []
  })
}
