// Delimited text: .csv (comma, or semicolon with decimal commas as spreadsheets write it where the comma is the
// decimal separator), .tsv (tab), .txt (tab, comma or runs of spaces), with or without a header row, numeric columns
// and text columns (ids, names); UTF-8, UTF-16 with a byte-order mark, or Windows-1252. Streaming: chunks are parsed
// as they arrive and each number is parsed once, so a 4.7-million-line triplet file never exists twice in memory.
import { concatBytes } from './bytes'

export type Delimiter = ',' | ';' | '\t' | 'whitespace'

export interface Column {
  name: string
  kind: 'number' | 'text'
  /** Numbers (NaN where a cell of a numeric column is empty) or the cells' text. */
  numbers?: Float64Array
  texts?: string[]
}

export interface Table {
  /** Null for a spreadsheet's sheet. */
  delimiter: Delimiter | null
  header: boolean
  rows: number
  columns: Column[]
}

export class DelimitedFormatError extends Error {
  override name = 'DelimitedFormatError'
}

/** Lines read before the columns' kinds are settled (empty cells say nothing about a column). */
const LOOKAHEAD = 200
const RETURN = 13

/** The delimiter of the first lines: a tab; semicolons when they split every line alike; a comma; else spaces. */
function detectDelimiter(lines: string[]): Delimiter {
  const first = lines[0]!
  if (first.includes('\t')) return '\t'
  if (first.includes(';')) {
    const widths = lines.map((line) => splitLine(line, ';').length)
    if (widths[0]! > 1 && widths.every((w) => w === widths[0])) return ';'
  }
  if (first.includes(',')) return ','
  return 'whitespace'
}

/** Fields of one line; double quotes protect delimiters, and "" inside quotes is a quote (RFC 4180). */
function splitLine(line: string, delimiter: Delimiter): string[] {
  if (delimiter === 'whitespace') return line.trim().split(/\s+/)
  if (!line.includes('"')) return line.split(delimiter).map((f) => f.trim())
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"' && field.trim() === '') {
      quoted = true
      field = ''
    } else if (ch === delimiter) {
      fields.push(field.trim())
      field = ''
    } else field += ch
  }
  fields.push(field.trim())
  return fields
}

const NUMERIC = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|NaN|inf|Inf|infinity|Infinity)$/

function isNumeric(field: string): boolean {
  return NUMERIC.test(field)
}

function toNumber(field: string): number {
  if (field === '') return NaN
  const value = Number(field)
  if (!Number.isNaN(value)) return value
  const lower = field.toLowerCase()
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN
  if (/^[+-]?inf(inity)?$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity
  return Number(field)
}

/** Powers of ten a double holds exactly: a mantissa under 2^53 times or over one of them is correctly rounded. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k)
const SPACE = 32
const TAB = 9
const NEWLINE = 10
const DIGIT_0 = 48
const DIGIT_9 = 57
const PLUS = 43
const MINUS = 45
const DOT = 46

/** Where scanRows is in its bytes, the rows it has filled and the lines it has passed (blank ones included). */
export interface ScanState {
  at: number
  row: number
  lines: number
}

/**
 * Why scanRows stopped: at the end of its bytes; at a row the columns have no room for; or at the start of a line it
 * does not read exactly — quotes, empty fields, a wrong count, nan/inf, more than 15 significant digits (a float64
 * written in full has 17: Number() of the text is then as fast as anything here), powers of ten past 10^22, any other
 * character — which the general path then reads, with its messages.
 */
export type ScanStop = 'end' | 'full' | 'line'

/**
 * The rows of a numeric table from lines of bytes (which end in a newline; UTF-8 or Windows-1252, whose digits and
 * delimiters are ASCII) straight into `columns`, from `state.row` on: one pass, no strings, no line split out first.
 * Each number is its decimal mantissa times or over an exact power of ten, one correctly rounded operation (Clinger's
 * fast path), so the value is Number()'s.
 */
export function scanRows(bytes: Uint8Array, delimiter: number | null, columns: Float64Array[], capacity: number, state: ScanState): ScanStop {
  const width = columns.length
  const tabBlank = delimiter !== TAB
  const end = bytes.length
  let i = state.at
  const stop = (why: ScanStop, at: number): ScanStop => {
    state.at = at
    return why
  }
  while (i < end) {
    const start = i
    // The newline ending the bytes stops every loop below: no read past the end.
    let c = bytes[i]!
    while (c === SPACE || (c === TAB && tabBlank)) c = bytes[++i]!
    if (c === RETURN && bytes[i + 1] === NEWLINE) c = bytes[++i]!
    if (c === NEWLINE) {
      i++
      state.lines++
      continue
    }
    if (state.row === capacity) return stop('full', start)
    for (let k = 0; ; ) {
      const negative = c === MINUS
      if (c === MINUS || c === PLUS) c = bytes[++i]!
      let mantissa = 0
      let digits = 0
      let scale = 0
      let seen = false
      while (c >= DIGIT_0 && c <= DIGIT_9) {
        seen = true
        if (mantissa !== 0 || c !== DIGIT_0) digits++
        mantissa = mantissa * 10 + (c - DIGIT_0)
        c = bytes[++i]!
      }
      if (c === DOT) {
        c = bytes[++i]!
        while (c >= DIGIT_0 && c <= DIGIT_9) {
          seen = true
          if (mantissa !== 0 || c !== DIGIT_0) digits++
          mantissa = mantissa * 10 + (c - DIGIT_0)
          scale--
          c = bytes[++i]!
        }
      }
      if (!seen) return stop('line', start)
      if (c === 101 || c === 69) {
        c = bytes[++i]!
        const down = c === MINUS
        if (c === MINUS || c === PLUS) c = bytes[++i]!
        let exponent = 0
        let any = false
        while (c >= DIGIT_0 && c <= DIGIT_9 && exponent < 1000) {
          any = true
          exponent = exponent * 10 + (c - DIGIT_0)
          c = bytes[++i]!
        }
        if (!any) return stop('line', start)
        scale += down ? -exponent : exponent
      }
      if (digits > 15 || scale < -22 || scale > 22) return stop('line', start)
      const value = scale < 0 ? mantissa / EXACT_POWERS[-scale]! : mantissa * EXACT_POWERS[scale]!
      columns[k]![state.row] = negative ? -value : value
      k++
      const after = i
      while (c === SPACE || (c === TAB && tabBlank)) c = bytes[++i]!
      if (c === RETURN && bytes[i + 1] === NEWLINE) c = bytes[++i]!
      if (c === NEWLINE) {
        if (k !== width) return stop('line', start)
        break
      }
      if (k === width) return stop('line', start)
      if (delimiter === null) {
        if (i === after) return stop('line', start)
      } else {
        if (c !== delimiter) return stop('line', start)
        c = bytes[++i]!
        while (c === SPACE || (c === TAB && tabBlank)) c = bytes[++i]!
      }
    }
    i++
    state.row++
    state.lines++
  }
  return stop('end', i)
}

/** A growable Float64Array. */
class NumberColumn {
  data = new Float64Array(1024)
  length = 0
  push(value: number): void {
    if (this.length === this.data.length) this.reserve(this.data.length * 2)
    this.data[this.length++] = value
  }
  /** Room for `capacity` numbers in all. */
  reserve(capacity: number): void {
    if (capacity <= this.data.length) return
    const grown = new Float64Array(capacity)
    grown.set(this.data.subarray(0, this.length))
    this.data = grown
  }
  /** The numbers: a view when little room is left over (a copy of a large column costs as much as reading it). */
  finish(): Float64Array {
    return this.length >= this.data.length * 0.875 ? this.data.subarray(0, this.length) : this.data.slice(0, this.length)
  }
}

/**
 * A first row that names text columns: with no numbers to go by, it does when the table has several columns, every
 * cell of the first row is filled and different, and none recurs in its column below ("Word" is not one of the words).
 * One column cannot be told apart from a list of names; the user says so (`header`).
 */
function namesColumns(rows: string[][]): boolean {
  const [first, ...rest] = rows
  if (!first || first.length < 2 || !rest.length || rest.some((row) => row.some((f) => isNumeric(f)))) return false
  if (first.some((f) => f === '' || isNumeric(f)) || new Set(first).size !== first.length) return false
  return first.every((name, c) => rest.every((row) => row[c] !== name))
}

/** Where a row came from, for messages: "line 12" of a text file, "row 12" of a sheet. */
export type RowUnit = 'line' | 'row'

/**
 * Rows of text fields made into typed columns. The first rows (up to 200) settle the layout: a header when the first
 * row has a name (or nothing) above a number or names text columns (namesColumns), unless the user said which;
 * a column is numeric when every non-empty cell of them is a number;
 * with `trailing`, an empty field ending every row (a delimiter ending every line, as some exporters write) ends the
 * row rather than opening an empty column. Later rows are parsed as they come, each number once.
 */
/**
 * A spreadsheet's or JSON record's value as the text a CSV export would hold: numbers in full precision, true/false
 * as 1/0, dates in ISO 8601, nested values as JSON, nothing for an empty cell.
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

export class TableBuilder {
  private pending: { fields: string[]; at: number }[] = []
  private layout: { header: boolean; names: string[]; kinds: ('number' | 'text')[]; trailing: boolean } | null = null
  private numberColumns: (NumberColumn | null)[] = []
  private textColumns: (string[] | null)[] = []
  private rows = 0

  /** `header`: whether the first row names the columns, when the user has said so; else it is detected. */
  constructor(private readonly options: { decimalComma: boolean; trailing: boolean; unit: RowUnit; header?: boolean }) {}

  private number(field: string): string {
    return this.options.decimalComma ? field.replace(/^([+-]?\d*),(\d)/, '$1.$2') : field
  }

  private decide(): void {
    let split = this.pending.map((p) => p.fields)
    const trailing = this.options.trailing && split.every((row) => row.length > 1 && row[row.length - 1] === '')
    if (trailing) split = split.map((row) => row.slice(0, -1))
    const numeric = (field: string) => isNumeric(this.number(field))
    const [a, b] = split
    const header = this.options.header ?? (b !== undefined && (a!.some((field, i) => !numeric(field) && b[i] !== undefined && numeric(b[i]!)) || namesColumns(split)))
    const data = header ? split.slice(1) : split
    const width = (header ? a! : data[0]!).length
    const kinds = Array.from({ length: width }, (_, c) =>
      (data.every((row) => row[c] === undefined || row[c] === '' || numeric(row[c]!)) ? 'number' : 'text') as 'number' | 'text',
    )
    const names = header ? a!.map((name, i) => name || `column ${i + 1}`) : kinds.map((_, i) => `column ${i + 1}`)
    this.layout = { header, names, kinds, trailing }
    this.numberColumns = kinds.map((k) => (k === 'number' ? new NumberColumn() : null))
    this.textColumns = kinds.map((k) => (k === 'text' ? [] : null))
    for (const [i, p] of this.pending.entries()) if (i > 0 || !header) this.addRow(p.fields, p.at)
    this.pending = []
  }

  private addRow(fields: string[], at: number): void {
    const l = this.layout!
    const unit = this.options.unit
    if (l.trailing && fields.length === l.kinds.length + 1 && fields[fields.length - 1] === '') fields.pop()
    if (fields.length !== l.kinds.length) {
      throw new DelimitedFormatError(`${unit} ${at} has ${fields.length} fields, but the ${unit === 'line' ? 'file' : 'table'} has ${l.kinds.length} columns`)
    }
    for (let c = 0; c < fields.length; c++) {
      const column = this.numberColumns[c]
      if (column) {
        const value = toNumber(this.number(fields[c]!))
        if (Number.isNaN(value) && fields[c] !== '' && !/nan/i.test(fields[c]!)) {
          throw new DelimitedFormatError(`${unit} ${at}, column ${c + 1} ("${l.names[c]}"): "${fields[c]}" is not a number`)
        }
        column.push(value)
      } else {
        this.textColumns[c]!.push(fields[c]!)
      }
    }
    this.rows++
  }

  /** How many columns, once the layout is settled and every column holds numbers with decimal points; else null. */
  numericWidth(): number | null {
    const l = this.layout
    return l && !this.options.decimalComma && l.kinds.every((k) => k === 'number') ? l.kinds.length : null
  }

  /** The columns' arrays for scanRows to fill from row `rows()` on, with room for `capacity` rows in all. */
  numberArrays(capacity: number): Float64Array[] {
    return this.numberColumns.map((column) => (column!.reserve(capacity), column!.data))
  }

  /** Rows so far. */
  rowCount(): number {
    return this.rows
  }

  /** Rows scanRows has filled in, up to `rows` in all. */
  filled(rows: number): void {
    for (const column of this.numberColumns) column!.length = rows
    this.rows = rows
  }

  /** One row's fields; `at` numbers it in messages. */
  add(fields: string[], at: number): void {
    if (this.layout) return this.addRow(fields, at)
    this.pending.push({ fields, at })
    if (this.pending.length >= LOOKAHEAD) this.decide()
  }

  /** The columns; null when no row came. */
  finish(): Pick<Table, 'header' | 'rows' | 'columns'> | null {
    if (!this.layout) {
      if (!this.pending.length) return null
      this.decide()
    }
    const l = this.layout!
    return {
      header: l.header,
      rows: this.rows,
      columns: l.kinds.map((kind, c) =>
        kind === 'number' ? { name: l.names[c]!, kind, numbers: this.numberColumns[c]!.finish() } : { name: l.names[c]!, kind, texts: this.textColumns[c]! },
      ),
    }
  }
}

/**
 * Lines to a table: the first lines decide the delimiter, a TableBuilder the header and which columns are text. Once
 * that is settled and every column is numeric, lines of bytes are read in place (scanRows): the THINGS triplet files'
 * 4.7 M lines without a string made.
 */
class LineReader {
  private lineNumber = 0
  private pending: { line: string; at: number }[] = []
  private delimiter: Delimiter | null = null
  private builder: TableBuilder | null = null
  /** scanRows' delimiter once the table is all numbers; undefined while not. */
  private code: number | null | undefined
  private capacity = 0
  /** Bytes of the regions read before the current one, for the estimate of the rows to come. */
  private bytesBefore = 0

  /** `size`: the file's bytes, when known; the columns are then sized once, from the rows of its first megabytes. */
  constructor(private readonly options: { header?: boolean; size?: number }) {}

  private flush(): void {
    const delimiter = detectDelimiter(this.pending.map((p) => p.line))
    this.delimiter = delimiter
    const { header } = this.options
    this.builder = new TableBuilder({ decimalComma: delimiter === ';', trailing: delimiter !== 'whitespace', unit: 'line', ...(header === undefined ? {} : { header }) })
    for (const p of this.pending) this.builder.add(splitLine(p.line, delimiter), p.at)
    this.pending = []
  }

  /** One line of text (no line end), through the general path. */
  line(line: string): void {
    this.lineNumber++
    if (line.trim() === '') return
    if (!this.builder) {
      this.pending.push({ line, at: this.lineNumber })
      if (this.pending.length >= LOOKAHEAD) this.flush()
      return
    }
    this.builder.add(splitLine(line, this.delimiter!), this.lineNumber)
  }

  /** Whether lines can be read in place now. */
  private numeric(): boolean {
    if (this.code !== undefined) return true
    const width = this.builder?.numericWidth() ?? null
    if (width === null || this.delimiter === ';') return false
    this.code = this.delimiter === 'whitespace' ? null : this.delimiter!.charCodeAt(0)
    return true
  }

  /** Whole lines of bytes ending in a newline; `decode` makes text of any of them. */
  region(bytes: Uint8Array, decode: (bytes: Uint8Array) => string): void {
    const state: ScanState = { at: 0, row: 0, lines: 0 }
    while (state.at < bytes.length) {
      if (!this.numeric()) {
        state.at = this.textLines(bytes, state.at, decode)
        continue
      }
      const builder = this.builder!
      state.row = builder.rowCount()
      state.lines = 0
      const columns = builder.numberArrays(this.capacity)
      const why = scanRows(bytes, this.code!, columns, columns[0]!.length, state)
      builder.filled(state.row)
      this.lineNumber += state.lines
      if (why === 'full') this.grow(state.row, this.bytesBefore + state.at)
      else if (why === 'line') {
        const newline = bytes.indexOf(NEWLINE, state.at)
        this.line(decode(bytes.subarray(state.at, newline > state.at && bytes[newline - 1] === RETURN ? newline - 1 : newline)))
        state.at = newline + 1
      }
    }
    this.bytesBefore += bytes.length
  }

  /** Room for more rows: as many as the rest of the file holds at the rate so far, when its size is known. */
  private grow(rows: number, bytesRead: number): void {
    const size = this.options.size
    const estimate = size && rows > 0 ? Math.ceil(((rows * size) / bytesRead) * 1.05) : 0
    this.capacity = Math.max(estimate, Math.ceil(Math.max(this.capacity, rows) * (size ? 1.25 : 2)) + 1024)
  }

  /**
   * The lines of bytes[from, …) as text, one at a time, until they can be read in place: where that is, in bytes
   * (the newlines of the text are those of the bytes, one for one, in these encodings).
   */
  private textLines(bytes: Uint8Array, from: number, decode: (bytes: Uint8Array) => string): number {
    const text = decode(bytes.subarray(from))
    let start = 0
    let lines = 0
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
      this.line(text.slice(start, i > start && text.charCodeAt(i - 1) === RETURN ? i - 1 : i))
      start = i + 1
      lines++
      if (start < text.length && this.numeric()) {
        let at = from
        for (let k = 0; k < lines; k++) at = bytes.indexOf(NEWLINE, at) + 1
        return at
      }
    }
    return bytes.length
  }

  finish(): Table {
    if (!this.builder) {
      if (this.pending.length === 0) throw new DelimitedFormatError('the file is empty')
      this.flush()
    }
    return { delimiter: this.delimiter!, ...this.builder!.finish()! }
  }
}

/**
 * Parses delimited text from a stream of byte chunks (see LineReader); `size`, the stream's length in bytes when
 * known, lets a large numeric table's columns be allocated once.
 */
export async function parseDelimited(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { header?: boolean; size?: number } = {}): Promise<Table> {
  const reader = new LineReader(options)
  for await (const piece of lineRegions(chunks)) {
    if (typeof piece === 'string') reader.line(piece)
    else reader.region(piece.bytes, piece.decode)
  }
  return reader.finish()
}

/** Bytes read before the encoding is decided: enough text to meet an accented name. */
const SNIFF_BYTES = 1 << 16

type Region = { bytes: Uint8Array; decode: (bytes: Uint8Array) => string }

/**
 * The chunks as whole lines: regions of bytes ending in a newline (a line split between chunks joined, a last line
 * without one given one) when the text is UTF-8 — when its first 64 KiB are, a byte-order mark dropped — or else
 * Windows-1252, what spreadsheets on Windows save as "CSV"; single lines of text when a byte-order mark says UTF-16.
 */
async function* lineRegions(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Region | string> {
  const iterator = (Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]()) as AsyncIterator<Uint8Array> | Iterator<Uint8Array>
  const head: Uint8Array[] = []
  let size = 0
  let done = false
  while (size < SNIFF_BYTES) {
    const next = await iterator.next()
    if (next.done) {
      done = true
      break
    }
    head.push(next.value)
    size += next.value.length
  }
  let first = concatBytes(head)
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    yield first
    if (done) return
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value
  }
  const utf16 = first[0] === 0xff && first[1] === 0xfe ? 'utf-16le' : first[0] === 0xfe && first[1] === 0xff ? 'utf-16be' : null
  if (utf16) {
    yield* textLines(rest(), utf16)
    return
  }
  if (first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) first = first.subarray(3)
  let encoding = 'utf-8'
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(first, { stream: true })
  } catch {
    encoding = 'windows-1252'
  }
  const decoder = new TextDecoder(encoding, { ignoreBOM: true })
  const decode = (bytes: Uint8Array) => decoder.decode(bytes)
  // The start of a line the chunks so far have not ended.
  let carry: Uint8Array[] = []
  for await (let chunk of rest()) {
    if (carry.length) {
      const newline = chunk.indexOf(NEWLINE)
      if (newline === -1) {
        carry.push(chunk)
        continue
      }
      yield { bytes: concatBytes([...carry, chunk.subarray(0, newline + 1)]), decode }
      chunk = chunk.subarray(newline + 1)
      carry = []
    }
    const end = chunk.lastIndexOf(NEWLINE) + 1
    if (end > 0) yield { bytes: chunk.subarray(0, end), decode }
    if (end < chunk.length) carry.push(chunk.slice(end))
  }
  if (carry.length) yield { bytes: concatBytes([...carry, Uint8Array.of(NEWLINE)]), decode }
}

/** The lines of a stream in an encoding whose newline bytes may belong to other characters (UTF-16). */
async function* textLines(chunks: AsyncIterable<Uint8Array>, encoding: string): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding)
  let carry = ''
  const lines = function* (text: string): Generator<string> {
    const all = (carry + text).split('\n')
    carry = all.pop()!
    for (const line of all) yield line.endsWith('\r') ? line.slice(0, -1) : line
  }
  for await (const chunk of chunks) yield* lines(decoder.decode(chunk, { stream: true }))
  yield* lines(decoder.decode())
  if (carry !== '') yield carry.endsWith('\r') ? carry.slice(0, -1) : carry
}

function quote(field: string, delimiter: string): string {
  return field.includes(delimiter) || field.includes('"') || field.includes('\n') ? `"${field.replace(/"/g, '""')}"` : field
}

/** Columns as delimited text with a header row; numbers keep full precision (shortest round-trip form). */
export function formatDelimited(columns: Column[], delimiter: ',' | '\t' = ','): string {
  const rows = columns.reduce((n, c) => Math.max(n, c.numbers?.length ?? c.texts?.length ?? 0), 0)
  const lines = [columns.map((c) => quote(c.name, delimiter)).join(delimiter)]
  for (let r = 0; r < rows; r++) {
    lines.push(
      columns
        .map((c) => {
          if (c.kind === 'text') return quote(c.texts?.[r] ?? '', delimiter)
          const v = c.numbers?.[r]
          return v === undefined || Number.isNaN(v) ? '' : String(v)
        })
        .join(delimiter),
    )
  }
  return `${lines.join('\n')}\n`
}
